{#-
    unique_combination_of_columns: the combination of the listed columns is unique.
    Same signature as dbt_utils.unique_combination_of_columns (rows with NULLs are compared too).
-#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- if quote_columns -%}
    {%- set column_list = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do column_list.append(adapter.quote(column)) -%}
    {%- endfor -%}
{%- else -%}
    {%- set column_list = combination_of_columns -%}
{%- endif -%}
{%- set columns_csv = column_list | join(', ') %}

with validation_errors as (
    select
        {{ columns_csv }},
        count(*) as n_records
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
)

select * from validation_errors

{% endtest %}
