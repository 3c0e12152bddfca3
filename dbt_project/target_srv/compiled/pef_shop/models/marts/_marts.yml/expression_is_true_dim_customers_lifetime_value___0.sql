

select *
from pef_shop.dim_customers

where not (lifetime_value >= 0)

