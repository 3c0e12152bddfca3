
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select email
from pef_shop.dim_customers
where email is not null
  and not (email rlike '^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$')

  
  
      
    ) dbt_internal_test