{#- pef-gx: the newest value of `field` is at most `interval` `datepart`s old (an empty table fails).
    GX: unexpected_rows_expectation with the same query. -#}
{% test pef_gx_recency(model, field, datepart, interval) %}
select most_recent
from (select max({{ field }}) as most_recent from {{ model }}) as r
where most_recent is null
   or cast(most_recent as timestamp) < cast(current_timestamp - {{ pef_gx_test_interval(interval, datepart) }} as timestamp)
{% endtest %}
