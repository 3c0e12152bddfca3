
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from pef_shop.sales

where not (amount = quantity * unit_price)


  
  
      
    ) dbt_internal_test