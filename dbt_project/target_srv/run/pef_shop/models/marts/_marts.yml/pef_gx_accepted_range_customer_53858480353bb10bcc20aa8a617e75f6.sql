
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select first_order_date
from pef_shop.customer_lifetime_value
where 1 = 2
    or first_order_date < '2023-11-26'
    or first_order_date > '2025-02-01'

  
  
      
    ) dbt_internal_test