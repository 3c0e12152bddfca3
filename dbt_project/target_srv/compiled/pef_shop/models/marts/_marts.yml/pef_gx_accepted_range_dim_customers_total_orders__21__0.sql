
select total_orders
from pef_shop.dim_customers
where 1 = 2
    or total_orders < 0
    or total_orders > 21
