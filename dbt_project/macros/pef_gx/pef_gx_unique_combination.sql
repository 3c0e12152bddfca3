{#- pef-gx: the combination of the columns is unique (NULLs compared as values).
    GX: expect_compound_columns_to_be_unique(ignore_row_if="never"). -#}
{% test pef_gx_unique_combination(model, combination_of_columns) %}
{%- set columns_csv = combination_of_columns | join(', ') %}
select {{ columns_csv }}, count(*) as n_records
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1
{% endtest %}
