
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select loaded_at
from pef_shop.stg_orders
where 1 = 2
    or loaded_at < '2023-11-25'
    or loaded_at > '2025-02-08'

  
  
      
    ) dbt_internal_test