
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select quantity
from pef_shop.sales
where 1 = 2
    or quantity < 0
    or quantity > 4

  
  
      
    ) dbt_internal_test