{#- Small cross-database helpers: DuckDB, PostgreSQL and Spark spell date arithmetic differently. -#}

{#- Whole days from start_date to end_date (end - start), as an integer. -#}
{% macro days_between(start_date, end_date) -%}
    {%- if target.type == 'duckdb' -%}
        cast(date_diff('day', cast({{ start_date }} as date), cast({{ end_date }} as date)) as integer)
    {%- elif target.type == 'postgres' -%}
        cast((cast({{ end_date }} as date) - cast({{ start_date }} as date)) as integer)
    {%- elif target.type == 'spark' -%}
        datediff(cast({{ end_date }} as date), cast({{ start_date }} as date))
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
    {%- elif target.type == 'spark' -%}
        {#- make_dt_interval / make_ym_interval take a column, so the count may be an expression. -#}
        {%- if datepart in ('month', 'year') -%}
            ({{ from_timestamp }} + make_ym_interval({{ '0, ' if datepart == 'month' else '' }}cast({{ interval }} as int)))
        {%- elif datepart == 'week' -%}
            ({{ from_timestamp }} + make_dt_interval(cast({{ interval }} as int) * 7))
        {%- else -%}
            ({{ from_timestamp }} + make_dt_interval({{ {'day': '', 'hour': '0, ', 'minute': '0, 0, '}[datepart] }}cast({{ interval }} as int)))
        {%- endif -%}
    {%- else -%}
        {{ dbt.dateadd(datepart, interval, from_timestamp) }}
    {%- endif -%}
{%- endmacro %}
