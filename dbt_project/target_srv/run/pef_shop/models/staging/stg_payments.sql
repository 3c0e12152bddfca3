create or replace view pef_shop.stg_payments
  
  
  as
    -- depends_on: pef_shop.raw_payments

with source as (
    select * from pef_shop.raw_payments
)

select
    cast(payment_id as integer) as payment_id,
    cast(order_id as integer) as order_id,
    cast(lower(trim(payment_method)) as varchar(20)) as payment_method,
    cast(amount as numeric(10, 2)) as amount
from source
