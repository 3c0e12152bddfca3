
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with recency as (
    select
        max(loaded_at) as most_recent
    from pef_shop.stg_orders
)

select
    most_recent,
    cast((current_timestamp + make_dt_interval(cast(-30 as int))) as timestamp) as threshold
from recency
where most_recent < cast((current_timestamp + make_dt_interval(cast(-30 as int))) as timestamp)
   or most_recent is null


  
  
      
    ) dbt_internal_test