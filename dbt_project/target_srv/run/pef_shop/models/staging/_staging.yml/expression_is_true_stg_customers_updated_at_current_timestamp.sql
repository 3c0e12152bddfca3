
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from pef_shop.stg_customers

where not (updated_at <= current_timestamp)


  
  
      
    ) dbt_internal_test