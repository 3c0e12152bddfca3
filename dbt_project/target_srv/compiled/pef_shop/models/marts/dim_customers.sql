-- One row per customer (also those without orders), with country and lifetime value.
with customers as (
    select * from pef_shop.stg_customers
),

countries as (
    select * from pef_shop.country_codes
),

clv as (
    select * from pef_shop.customer_lifetime_value
)

select
    cast(customers.customer_id as integer) as customer_id,
    cast(customers.first_name as varchar(100)) as first_name,
    cast(customers.last_name as varchar(100)) as last_name,
    cast(customers.email as varchar(255)) as email,
    cast(customers.country_code as varchar(2)) as country_code,
    cast(countries.name as varchar(100)) as country_name,
    cast(customers.signup_date as date) as signup_date,
    cast(clv.first_order_date as date) as first_order_date,
    cast(clv.last_order_date as date) as last_order_date,
    cast(coalesce(clv.total_orders, 0) as integer) as total_orders,
    cast(coalesce(clv.lifetime_value, 0) as numeric(18, 2)) as lifetime_value,
    cast(
        case
            when clv.customer_id is null then 'prospect'
            when clv.lifetime_value >= 2000 then 'vip'
            else 'regular'
        end as varchar(20)
    ) as customer_segment
from customers
left join countries on customers.country_code = countries.code
left join clv on customers.customer_id = clv.customer_id