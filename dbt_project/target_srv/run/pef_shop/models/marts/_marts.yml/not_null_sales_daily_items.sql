
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select items
from pef_shop.sales_daily
where items is null



  
  
      
    ) dbt_internal_test