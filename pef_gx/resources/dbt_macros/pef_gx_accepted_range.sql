{#- pef-gx: every value of column_name lies between min_value and max_value (NULL passes). Bounds may be
    numbers or ISO dates/timestamps (quoted). GX: expect_column_values_to_be_between. -#}
{% test pef_gx_accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- set column = pef_gx_column(column_name) %}
select {{ column }}
from {{ model }}
where 1 = 2
{%- if min_value is not none %}
    or {{ column }} <{{ "" if inclusive else "=" }} {{ pef_gx_test_literal(min_value) }}
{%- endif %}
{%- if max_value is not none %}
    or {{ column }} >{{ "" if inclusive else "=" }} {{ pef_gx_test_literal(max_value) }}
{%- endif %}
{% endtest %}
