{#- pef-gx: the share of non-NULL values lies in [at_least, at_most].
    GX: expect_column_proportion_of_non_null_values_to_be_between. -#}
{% test pef_gx_not_null_proportion(model, column_name, at_least, at_most=1.0) %}
select proportion
from (
    select cast(count({{ column_name }}) as numeric(28, 6)) / nullif(count(*), 0) as proportion
    from {{ model }}
) as p
where proportion < {{ at_least }} or proportion > {{ at_most }}
{% endtest %}
