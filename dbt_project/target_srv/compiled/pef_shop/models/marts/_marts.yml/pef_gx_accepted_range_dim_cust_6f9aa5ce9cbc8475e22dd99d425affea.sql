
select last_order_date
from pef_shop.dim_customers
where 1 = 2
    or last_order_date < '2023-11-29'
    or last_order_date > '2025-02-07'
