-- depends_on: pef_shop.raw_order_items

with source as (
    select * from pef_shop.raw_order_items
)

select
    cast(order_item_id as integer) as order_item_id,
    cast(order_id as integer) as order_id,
    cast(product_id as integer) as product_id,
    cast(quantity as integer) as quantity,
    cast(unit_price as numeric(10, 2)) as unit_price,
    cast(quantity * unit_price as numeric(12, 2)) as amount
from source