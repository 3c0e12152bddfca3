
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select order_amount
from pef_shop.fct_orders
where order_amount is null



  
  
      
    ) dbt_internal_test