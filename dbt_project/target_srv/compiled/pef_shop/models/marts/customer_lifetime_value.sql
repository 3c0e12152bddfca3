-- One row per customer with at least one order that was not returned.
with orders as (
    select * from pef_shop.fct_orders
    where status <> 'returned'
)

select
    customer_id,
    cast(count(*) as integer) as total_orders,
    cast(sum(order_amount) as numeric(18, 2)) as lifetime_value,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    datediff(cast(cast('2025-01-01' as date) as date), cast(max(order_date) as date)) as days_since_last_order
from orders
group by customer_id