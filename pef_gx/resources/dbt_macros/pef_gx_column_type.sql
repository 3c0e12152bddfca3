{#- pef-gx: the column exists and keeps its type family (numeric, string, date, timestamp, boolean); one
    row when it does not. GX: expect_column_type_family_to_be (pef-gx's own expectation). -#}
{% test pef_gx_column_type(model, column_name, family) %}
{%- set name = column_name | string | replace('"', '') | lower -%}
select data_type
from (
    select count(*) as n, max(data_type) as data_type
    from ({{ pef_gx_test_columns_of(model) }}) as c
    where column_name = {{ pef_gx_test_literal(name) }}
) as t
where n = 0 or not ({{ pef_gx_test_type_family('data_type', family) }})
{% endtest %}
