
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with child as (
    select payment_method as from_field
    from pef_shop.stg_payments
    where payment_method is not null
),

parent as (
    select method as to_field
    from pef_shop.payment_methods
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null



  
  
      
    ) dbt_internal_test