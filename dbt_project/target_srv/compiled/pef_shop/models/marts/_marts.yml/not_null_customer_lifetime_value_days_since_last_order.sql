
    
    



select days_since_last_order
from pef_shop.customer_lifetime_value
where days_since_last_order is null


