-- Ad-hoc analysis: the 20 customers with the highest lifetime value.
-- Compile with `dbt compile --select top_customers`, run the SQL in target/compiled/.
select
    customer_id,
    first_name,
    last_name,
    country_name,
    total_orders,
    lifetime_value,
    customer_segment
from {{ ref('dim_customers') }}
order by lifetime_value desc, customer_id
limit 20
