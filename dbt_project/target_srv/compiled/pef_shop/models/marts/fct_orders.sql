-- One row per order: order amount from its lines, payments received.
with orders as (
    select * from pef_shop.stg_orders
),

order_items as (
    select
        order_id,
        count(*) as item_count,
        sum(quantity) as units,
        sum(amount) as order_amount
    from pef_shop.stg_order_items
    group by order_id
),

payments as (
    select
        order_id,
        count(*) as payment_count,
        sum(amount) as payment_total
    from pef_shop.stg_payments
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    cast(coalesce(order_items.item_count, 0) as integer) as item_count,
    cast(coalesce(order_items.units, 0) as integer) as units,
    cast(coalesce(order_items.order_amount, 0) as numeric(18, 2)) as order_amount,
    cast(coalesce(payments.payment_count, 0) as integer) as payment_count,
    cast(coalesce(payments.payment_total, 0) as numeric(18, 2)) as payment_total
from orders
left join order_items on orders.order_id = order_items.order_id
left join payments on orders.order_id = payments.order_id