
select first_order_date
from pef_shop.dim_customers
where 1 = 2
    or first_order_date < '2023-11-26'
    or first_order_date > '2025-02-01'
