
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from pef_shop.customer_lifetime_value

where not (first_order_date <= last_order_date)


  
  
      
    ) dbt_internal_test