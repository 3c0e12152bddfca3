
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select unit_price
from pef_shop.sales
where 1 = 2
    or unit_price < 0.0
    or unit_price > 456.96

  
  
      
    ) dbt_internal_test