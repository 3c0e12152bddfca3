{#- pef-gx: every row satisfies an SQL predicate. GX: unexpected_rows_expectation. -#}
{% test pef_gx_expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
{% if column_name is none -%}
where not ({{ expression }})
{%- else -%}
where not ({{ column_name }} {{ expression }})
{%- endif %}
{% endtest %}
