
select amount
from pef_shop.stg_order_items
where 1 = 2
    or amount < 0.0
    or amount > 1372.14
