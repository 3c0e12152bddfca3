
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select items
from pef_shop.sales_daily
where 1 = 2
    or items < 0
    or items > 63

  
  
      
    ) dbt_internal_test