
    
    



select order_id
from pef_shop.raw_order_items
where order_id is null


