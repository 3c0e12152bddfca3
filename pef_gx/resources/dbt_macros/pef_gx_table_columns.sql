{#- pef-gx: the relation still has every column of column_list (more are allowed); one row per missing
    column. GX: expect_table_columns_to_match_set (exact_match: false). Names compare case-insensitively. -#}
{% test pef_gx_table_columns(model, column_list) %}
with expected as (
    {%- for name in column_list %}
    select {{ pef_gx_test_literal(name | string | lower) }} as column_name{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

actual as (
    {{ pef_gx_test_columns_of(model) }}
)

select expected.column_name
from expected
where not exists (select 1 from actual where actual.column_name = expected.column_name)
{% endtest %}
