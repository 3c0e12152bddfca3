

select *
from (select * from pef_shop.fct_orders where status <> 'placed') dbt_subquery

where not (payment_total >= order_amount)

