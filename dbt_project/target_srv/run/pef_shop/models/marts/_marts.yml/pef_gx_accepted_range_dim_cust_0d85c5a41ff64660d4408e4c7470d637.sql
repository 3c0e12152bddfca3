
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select lifetime_value
from pef_shop.dim_customers
where 1 = 2
    or lifetime_value < 0.0
    or lifetime_value > 8316.61

  
  
      
    ) dbt_internal_test