
select units
from pef_shop.fct_orders
where 1 = 2
    or units < 0
    or units > 15
