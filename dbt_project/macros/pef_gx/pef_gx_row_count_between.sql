{#- pef-gx: the row count lies between min_value and max_value. GX: expect_table_row_count_to_be_between. -#}
{% test pef_gx_row_count_between(model, min_value=none, max_value=none) %}
select n
from (select count(*) as n from {{ model }}) as c
where 1 = 2
{%- if min_value is not none %} or n < {{ min_value | int }}{% endif %}
{%- if max_value is not none %} or n > {{ max_value | int }}{% endif %}
{% endtest %}
