
select payment_count
from pef_shop.fct_orders
where 1 = 2
    or payment_count < 0
    or payment_count > 3
