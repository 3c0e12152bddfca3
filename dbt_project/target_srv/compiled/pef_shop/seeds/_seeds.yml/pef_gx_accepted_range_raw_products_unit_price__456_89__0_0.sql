
select unit_price
from pef_shop.raw_products
where 1 = 2
    or unit_price < 0.0
    or unit_price > 456.89
