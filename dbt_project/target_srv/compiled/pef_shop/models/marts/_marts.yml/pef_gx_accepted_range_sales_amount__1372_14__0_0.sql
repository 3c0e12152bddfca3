
select amount
from pef_shop.sales
where 1 = 2
    or amount < 0.0
    or amount > 1372.14
