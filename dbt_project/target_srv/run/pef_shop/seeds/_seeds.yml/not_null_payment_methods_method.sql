
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select method
from pef_shop.payment_methods
where method is null



  
  
      
    ) dbt_internal_test