
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

select *
from (select * from pef_shop.fct_orders where status <> 'placed') dbt_subquery

where not (payment_total >= order_amount)


  
  
      
    ) dbt_internal_test