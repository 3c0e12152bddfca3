-- depends_on: pef_shop.raw_products

with source as (
    select * from pef_shop.raw_products
)

select
    cast(product_id as integer) as product_id,
    cast(trim(name) as varchar(100)) as product_name,
    cast(trim(category) as varchar(50)) as category,
    cast(unit_price as numeric(10, 2)) as list_price
from source