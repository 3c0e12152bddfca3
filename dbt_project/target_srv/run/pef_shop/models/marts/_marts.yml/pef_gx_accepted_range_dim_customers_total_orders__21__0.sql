
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select total_orders
from pef_shop.dim_customers
where 1 = 2
    or total_orders < 0
    or total_orders > 21

  
  
      
    ) dbt_internal_test