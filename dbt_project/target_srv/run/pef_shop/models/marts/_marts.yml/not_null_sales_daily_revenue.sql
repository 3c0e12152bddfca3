
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select revenue
from pef_shop.sales_daily
where revenue is null



  
  
      
    ) dbt_internal_test