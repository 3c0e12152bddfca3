
    
    



select order_id
from pef_shop.stg_order_items
where order_id is null


