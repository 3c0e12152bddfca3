{#- Small cross-database helpers: DuckDB and PostgreSQL spell date arithmetic differently. -#}

{#- Whole days from start_date to end_date (end - start), as an integer. -#}
{% macro days_between(start_date, end_date) -%}
    {%- if target.type == 'duckdb' -%}
        cast(date_diff('day', cast({{ start_date }} as date), cast({{ end_date }} as date)) as integer)
    {%- elif target.type == 'postgres' -%}
        cast((cast({{ end_date }} as date) - cast({{ start_date }} as date)) as integer)
    {%- else -%}
        cast({{ dbt.datediff(start_date, end_date, 'day') }} as integer)
    {%- endif -%}
{%- endmacro %}

{#- from_timestamp + interval datepart(s); interval may be negative. datepart: minute, hour, day, week, month, year. -#}
{% macro pef_dateadd(datepart, interval, from_timestamp) -%}
    {%- if target.type == 'duckdb' -%}
        ({{ from_timestamp }} + interval ({{ interval }}) {{ datepart }})
    {%- elif target.type == 'postgres' -%}
        ({{ from_timestamp }} + (interval '1 {{ datepart }}') * ({{ interval }}))
    {%- else -%}
        {{ dbt.dateadd(datepart, interval, from_timestamp) }}
    {%- endif -%}
{%- endmacro %}
