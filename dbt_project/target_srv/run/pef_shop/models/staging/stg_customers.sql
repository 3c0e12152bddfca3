create or replace view pef_shop.stg_customers
  
  
  as
    -- depends_on: pef_shop.raw_customers

with source as (
    select * from pef_shop.raw_customers
)

select
    cast(customer_id as integer) as customer_id,
    cast(trim(first_name) as varchar(100)) as first_name,
    cast(trim(last_name) as varchar(100)) as last_name,
    cast(lower(trim(email)) as varchar(255)) as email,
    cast(upper(trim(country_code)) as varchar(2)) as country_code,
    cast(signup_date as date) as signup_date,
    cast(updated_at as timestamp) as updated_at
from source
