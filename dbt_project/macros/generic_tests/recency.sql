{#-
    recency: the newest value of `field` is no older than `interval` `datepart`s before now.
    Same signature as dbt_utils.recency (without group_by_columns). The date arithmetic differs
    between DuckDB and PostgreSQL; pef_dateadd (macros/cross_db.sql) handles both.
-#}
{% test recency(model, datepart, field, interval, ignore_time_component=false) %}

{%- if ignore_time_component -%}
    {%- set threshold = "cast(" ~ pef_dateadd(datepart, interval * -1, "current_date") ~ " as date)" -%}
{%- else -%}
    {%- set threshold = "cast(" ~ pef_dateadd(datepart, interval * -1, "current_timestamp") ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
{%- endif %}

with recency as (
    select
        {% if ignore_time_component -%}
        cast(max({{ field }}) as date) as most_recent
        {%- else -%}
        max({{ field }}) as most_recent
        {%- endif %}
    from {{ model }}
)

select
    most_recent,
    {{ threshold }} as threshold
from recency
where most_recent < {{ threshold }}
   or most_recent is null

{% endtest %}
