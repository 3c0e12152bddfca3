
select payment_total
from pef_shop.fct_orders
where 1 = 2
    or payment_total < 0.0
    or payment_total > 109998.28
