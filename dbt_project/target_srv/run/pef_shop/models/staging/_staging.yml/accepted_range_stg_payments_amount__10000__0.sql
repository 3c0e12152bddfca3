
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with meet_condition as (
    select * from pef_shop.stg_payments
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not amount >= 0
        or not amount <= 10000
)

select * from validation_errors


  
  
      
    ) dbt_internal_test