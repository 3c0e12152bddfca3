
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  -- Singular test: every shipped, completed or returned order is fully paid. Returns the orders
-- whose payments are smaller than the order amount.
select
    order_id,
    status,
    order_amount,
    payment_total
from pef_shop.fct_orders
where status in ('shipped', 'completed', 'returned', 'return_pending')
  and payment_total < order_amount
  
  
      
    ) dbt_internal_test