
select quantity
from pef_shop.sales
where 1 = 2
    or quantity < 0
    or quantity > 4
