
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select units
from pef_shop.fct_orders
where units is null



  
  
      
    ) dbt_internal_test