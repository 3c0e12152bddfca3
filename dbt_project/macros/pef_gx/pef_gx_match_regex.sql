{#- pef-gx: every non-NULL value contains a match of `regex` (anchor it for a full match).
    GX: expect_column_values_to_match_regex. -#}
{% test pef_gx_match_regex(model, column_name, regex) %}
{%- set column = pef_gx_column(column_name) %}
select {{ column }}
from {{ model }}
where {{ column }} is not null
  and not {{ pef_gx_test_regex_match(column, regex) }}
{% endtest %}
