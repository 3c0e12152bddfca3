

select *
from pef_shop.customer_lifetime_value

where not (first_order_date <= last_order_date)

