
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select signup_date
from pef_shop.dim_customers
where 1 = 2
    or signup_date < '2021-09-17'
    or signup_date > '2025-03-11'

  
  
      
    ) dbt_internal_test