
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select payment_count
from pef_shop.fct_orders
where payment_count is null



  
  
      
    ) dbt_internal_test