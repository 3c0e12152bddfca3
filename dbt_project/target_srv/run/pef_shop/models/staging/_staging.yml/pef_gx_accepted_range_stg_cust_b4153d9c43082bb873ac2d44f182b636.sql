
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select updated_at
from pef_shop.stg_customers
where 1 = 2
    or updated_at < '2014-03-31'
    or updated_at > '2107-10-20'

  
  
      
    ) dbt_internal_test