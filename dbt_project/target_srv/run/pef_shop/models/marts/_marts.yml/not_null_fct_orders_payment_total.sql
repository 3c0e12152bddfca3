
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select payment_total
from pef_shop.fct_orders
where payment_total is null



  
  
      
    ) dbt_internal_test