{{
    config(
        materialized='incremental',
        unique_key='order_item_id',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}

-- Order-item grain. Incremental: each run reprocesses the orders of the last loaded order_date
-- and later; rows are replaced by order_item_id. Spark's Parquet tables cannot merge by key (that needs
-- Delta): there each run overwrites the whole table, so it reads every order.
with order_items as (
    select * from {{ ref('stg_order_items') }}
),

orders as (
    select * from {{ ref('stg_orders') }}
),

products as (
    select * from {{ ref('stg_products') }}
)

select
    order_items.order_item_id,
    order_items.order_id,
    orders.customer_id,
    order_items.product_id,
    products.category as product_category,
    orders.order_date,
    orders.status as order_status,
    order_items.quantity,
    order_items.unit_price,
    order_items.amount
from order_items
inner join orders on order_items.order_id = orders.order_id
left join products on order_items.product_id = products.product_id
{% if is_incremental() and target.type != 'spark' %}
where orders.order_date >= (select max(order_date) from {{ this }})
{% endif %}
