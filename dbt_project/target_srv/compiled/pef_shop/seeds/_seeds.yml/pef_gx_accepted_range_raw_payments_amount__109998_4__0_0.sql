
select amount
from pef_shop.raw_payments
where 1 = 2
    or amount < 0.0
    or amount > 109998.4
