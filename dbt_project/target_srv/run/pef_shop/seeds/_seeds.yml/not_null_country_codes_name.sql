
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select name
from pef_shop.country_codes
where name is null



  
  
      
    ) dbt_internal_test