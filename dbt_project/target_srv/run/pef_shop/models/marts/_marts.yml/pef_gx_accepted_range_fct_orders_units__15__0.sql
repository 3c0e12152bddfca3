
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select units
from pef_shop.fct_orders
where 1 = 2
    or units < 0
    or units > 15

  
  
      
    ) dbt_internal_test