
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with meet_condition as (
    select * from pef_shop.fct_orders
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not order_amount >= 0
)

select * from validation_errors


  
  
      
    ) dbt_internal_test