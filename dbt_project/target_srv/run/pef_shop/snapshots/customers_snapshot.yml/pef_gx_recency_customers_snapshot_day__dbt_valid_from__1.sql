
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select most_recent
from (select max(dbt_valid_from) as most_recent from pef_shop.customers_snapshot) as r
where most_recent is null
   or cast(most_recent as timestamp) < cast(current_timestamp - interval '1 day' as timestamp)

  
  
      
    ) dbt_internal_test