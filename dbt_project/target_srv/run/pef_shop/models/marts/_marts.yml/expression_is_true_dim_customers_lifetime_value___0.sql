
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from pef_shop.dim_customers

where not (lifetime_value >= 0)


  
  
      
    ) dbt_internal_test