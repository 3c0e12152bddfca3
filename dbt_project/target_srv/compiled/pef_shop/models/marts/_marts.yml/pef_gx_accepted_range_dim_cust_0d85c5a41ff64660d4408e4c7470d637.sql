
select lifetime_value
from pef_shop.dim_customers
where 1 = 2
    or lifetime_value < 0.0
    or lifetime_value > 8316.61
