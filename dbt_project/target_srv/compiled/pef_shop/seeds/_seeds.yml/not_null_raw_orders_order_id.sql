
    
    



select order_id
from pef_shop.raw_orders
where order_id is null


