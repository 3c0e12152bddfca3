{#-
    expression_is_true: every row satisfies a SQL boolean expression.
    Same signature as dbt_utils.expression_is_true: used at model level (`expression` is the whole
    predicate) or column level (`expression` is appended to the column, e.g. ">= 0").
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{% if column_name is none %}
where not ({{ expression }})
{%- else %}
where not ({{ column_name }} {{ expression }})
{%- endif %}

{% endtest %}
