{#- pef-gx: helpers of the generic tests (installed by `pef-gx init`; do not edit, re-run init). -#}

{#- A Python value as an SQL literal: strings single-quoted with '' doubled, numbers and booleans as is. -#}
{% macro pef_gx_test_literal(value) -%}
    {%- if value is none -%} null
    {%- elif value is sameas true -%} true
    {%- elif value is sameas false -%} false
    {%- elif value is number -%} {{ value }}
    {%- else -%} '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- An interval of `count` `datepart`s that DuckDB and PostgreSQL both read. -#}
{% macro pef_gx_test_interval(count, datepart) -%}
    {%- set part = datepart | lower -%}
    {%- if part.endswith('s') -%}{%- set part = part[:-1] -%}{%- endif -%}
    {%- if part not in ['minute', 'hour', 'day', 'week', 'month', 'year'] -%}
        {{ exceptions.raise_compiler_error("pef-gx: unsupported datepart " ~ datepart) }}
    {%- endif -%}
    {%- if part == 'week' -%}
        interval '{{ (count | int) * 7 }} day'
    {%- else -%}
        interval '{{ count | int }} {{ part }}'
    {%- endif -%}
{%- endmacro %}

{#- `expression` contains a match of the regular expression `pattern`. -#}
{% macro pef_gx_test_regex_match(expression, pattern) -%}
    {%- if target.type == 'duckdb' -%}
        regexp_matches({{ expression }}, {{ pef_gx_test_literal(pattern) }})
    {%- else -%}
        ({{ expression }} ~ {{ pef_gx_test_literal(pattern) }})
    {%- endif -%}
{%- endmacro %}

{#- A column name as an SQL identifier: one dbt already quoted (`quote: true`) stays as it is; a plain
    lower-case name is quoted where that changes nothing but lets reserved words through (`select`,
    `order`) on DuckDB and PostgreSQL; anything else is left to the warehouse's own rules. -#}
{% macro pef_gx_column(column_name) -%}
    {%- set name = column_name | string -%}
    {%- if name[:1] in ['"', '`', '['] -%}
        {{ name }}
    {%- elif target.type in ['duckdb', 'postgres', 'redshift'] and name == name | lower -%}
        {{ adapter.quote(name) }}
    {%- else -%}
        {{ name }}
    {%- endif -%}
{%- endmacro %}
