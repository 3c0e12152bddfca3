
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with meet_condition as (
    select * from pef_shop.sales_daily
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not orders >= 1
)

select * from validation_errors


  
  
      
    ) dbt_internal_test