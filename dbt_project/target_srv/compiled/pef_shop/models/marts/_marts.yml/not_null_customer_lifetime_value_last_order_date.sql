
    
    



select last_order_date
from pef_shop.customer_lifetime_value
where last_order_date is null


