
    
    



select total_orders
from pef_shop.customer_lifetime_value
where total_orders is null


