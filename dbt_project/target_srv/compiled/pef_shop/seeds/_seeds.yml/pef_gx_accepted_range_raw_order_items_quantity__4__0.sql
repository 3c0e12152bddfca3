
select quantity
from pef_shop.raw_order_items
where 1 = 2
    or quantity < 0
    or quantity > 4
