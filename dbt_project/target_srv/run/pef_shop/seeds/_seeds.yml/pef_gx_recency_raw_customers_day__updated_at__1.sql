
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select most_recent
from (select max(updated_at) as most_recent from pef_shop.raw_customers) as r
where most_recent is null
   or cast(most_recent as timestamp) < cast(current_timestamp - interval '1 day' as timestamp)

  
  
      
    ) dbt_internal_test