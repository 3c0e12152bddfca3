
select items
from pef_shop.sales_daily
where 1 = 2
    or items < 0
    or items > 63
