
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select order_date
from pef_shop.sales
where 1 = 2
    or order_date < '2023-11-25'
    or order_date > '2025-02-07'

  
  
      
    ) dbt_internal_test