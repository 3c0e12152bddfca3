
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select payment_count
from pef_shop.fct_orders
where 1 = 2
    or payment_count < 0
    or payment_count > 3

  
  
      
    ) dbt_internal_test