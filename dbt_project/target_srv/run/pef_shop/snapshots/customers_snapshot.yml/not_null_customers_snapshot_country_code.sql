
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select country_code
from pef_shop.customers_snapshot
where country_code is null



  
  
      
    ) dbt_internal_test