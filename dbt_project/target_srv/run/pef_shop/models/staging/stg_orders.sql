create or replace view pef_shop.stg_orders
  
  
  as
    -- depends_on: pef_shop.raw_orders

-- The raw table can hold several versions of one order (see the planted duplicate order_id):
-- keep the most recently loaded one.
with source as (
    select * from pef_shop.raw_orders
),

ranked as (
    select
        *,
        row_number() over (partition by order_id order by _loaded_at desc) as version_rank
    from source
)

select
    cast(order_id as integer) as order_id,
    cast(customer_id as integer) as customer_id,
    cast(order_date as date) as order_date,
    cast(lower(trim(status)) as varchar(20)) as status,
    cast(_loaded_at as timestamp) as loaded_at
from ranked
where version_rank = 1
