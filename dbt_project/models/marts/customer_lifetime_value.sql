-- One row per customer with at least one order that was not returned.
with orders as (
    select * from {{ ref('fct_orders') }}
    where status <> 'returned'
)

select
    customer_id,
    cast(count(*) as integer) as total_orders,
    cast(sum(order_amount) as numeric(18, 2)) as lifetime_value,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    {{ days_between("max(order_date)", "cast('" ~ var('as_of_date') ~ "' as date)") }} as days_since_last_order
from orders
group by customer_id
