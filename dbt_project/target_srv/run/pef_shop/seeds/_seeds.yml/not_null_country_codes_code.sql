
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select code
from pef_shop.country_codes
where code is null



  
  
      
    ) dbt_internal_test