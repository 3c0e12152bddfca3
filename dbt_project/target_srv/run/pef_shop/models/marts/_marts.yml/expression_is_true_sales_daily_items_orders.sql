
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from pef_shop.sales_daily

where not (items >= orders)


  
  
      
    ) dbt_internal_test