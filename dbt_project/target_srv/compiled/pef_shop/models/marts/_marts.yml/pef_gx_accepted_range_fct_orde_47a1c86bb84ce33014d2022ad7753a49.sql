
select order_date
from pef_shop.fct_orders
where 1 = 2
    or order_date < '2023-11-25'
    or order_date > '2025-02-07'
