
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select amount
from pef_shop.raw_payments
where 1 = 2
    or amount < 0.0
    or amount > 109998.4

  
  
      
    ) dbt_internal_test