
    
    



select customer_id
from pef_shop.raw_orders
where customer_id is null


