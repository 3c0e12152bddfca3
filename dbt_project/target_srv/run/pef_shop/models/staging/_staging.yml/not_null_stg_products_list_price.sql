
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select list_price
from pef_shop.stg_products
where list_price is null



  
  
      
    ) dbt_internal_test