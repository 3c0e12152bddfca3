
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  -- Singular test: a customer cannot order before signing up. Returns the offending orders.
select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    customers.signup_date
from pef_shop.stg_orders as orders
inner join pef_shop.stg_customers as customers
    on orders.customer_id = customers.customer_id
where orders.order_date < customers.signup_date
  
  
      
    ) dbt_internal_test