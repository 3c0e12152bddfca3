
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select amount
from pef_shop.sales
where 1 = 2
    or amount < 0.0
    or amount > 1372.14

  
  
      
    ) dbt_internal_test