
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select is_cash_like
from pef_shop.payment_methods
where is_cash_like is null



  
  
      
    ) dbt_internal_test