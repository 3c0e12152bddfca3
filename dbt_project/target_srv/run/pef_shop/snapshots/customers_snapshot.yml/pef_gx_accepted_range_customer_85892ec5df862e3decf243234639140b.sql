
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select dbt_updated_at
from pef_shop.customers_snapshot
where 1 = 2
    or dbt_updated_at < '2014-03-31'
    or dbt_updated_at > '2107-10-20'

  
  
      
    ) dbt_internal_test