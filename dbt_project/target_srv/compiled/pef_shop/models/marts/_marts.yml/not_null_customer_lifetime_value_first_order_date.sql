
    
    



select first_order_date
from pef_shop.customer_lifetime_value
where first_order_date is null


