{#- pef-gx: helpers of the generic tests (installed by `pef-gx init`; do not edit, re-run init). -#}

{#- A Python value as an SQL literal: strings single-quoted with '' doubled, numbers and booleans as is.
    Spark SQL reads backslash escapes in string literals: there a backslash is doubled too. -#}
{% macro pef_gx_test_literal(value) -%}
    {%- if value is none -%} null
    {%- elif value is sameas true -%} true
    {%- elif value is sameas false -%} false
    {%- elif value is number -%} {{ value }}
    {%- elif target.type == 'spark' -%} '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
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
    {%- elif target.type == 'spark' -%}
        ({{ expression }} rlike {{ pef_gx_test_literal(pattern) }})
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

{#- (column_name, data_type) of a relation, both lower case, from information_schema. Spark's session
    catalog has no information_schema: there dbt's adapter describes the relation when the test compiles. -#}
{% macro pef_gx_test_columns_of(relation) -%}
    {%- if target.type == 'spark' -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- for column in columns %}
    select {{ pef_gx_test_literal(column.name | lower) }} as column_name, {{ pef_gx_test_literal(column.dtype | lower) }} as data_type
    {%- if not loop.last %} union all{% endif %}
    {%- else %}
    select cast(null as string) as column_name, cast(null as string) as data_type where 1 = 0
    {%- endfor %}
    {%- else %}
    select lower(column_name) as column_name, lower(data_type) as data_type
    from information_schema.columns
    where lower(table_schema) = {{ pef_gx_test_literal(relation.schema | lower) }}
      and lower(table_name) = {{ pef_gx_test_literal(relation.identifier | lower) }}
    {%- if relation.database %}
      and lower(table_catalog) = {{ pef_gx_test_literal(relation.database | lower) }}
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- A predicate: the lower-case type name `expression` belongs to `family` (numeric, string, date,
    timestamp, boolean), as pef-gx's type families say (pef_gx.validation.custom_expectations). -#}
{% macro pef_gx_test_type_family(expression, family) -%}
    {%- set t = expression -%}
    {%- if family == 'timestamp' -%}
        ({{ t }} like 'timestamp%' or {{ t }} like 'datetime%')
    {%- elif family == 'date' -%}
        ({{ t }} = 'date')
    {%- elif family == 'boolean' -%}
        ({{ t }} in ('boolean', 'bool'))
    {%- elif family == 'string' -%}
        ({{ t }} like '%char%' or {{ t }} like '%text%' or {{ t }} like '%string%')
    {%- elif family == 'numeric' -%}
        (({{ t }} like '%int%' or {{ t }} like '%numeric%' or {{ t }} like '%decimal%' or {{ t }} like '%double%'
          or {{ t }} like '%real%' or {{ t }} like '%float%')
         and {{ t }} not like '%interval%' and {{ t }} not like '%[]' and {{ t }} not like '%char%'
         and {{ t }} not like 'timestamp%')
    {%- else -%}
        {{ exceptions.raise_compiler_error("pef-gx: unknown type family " ~ family) }}
    {%- endif -%}
{%- endmacro %}
