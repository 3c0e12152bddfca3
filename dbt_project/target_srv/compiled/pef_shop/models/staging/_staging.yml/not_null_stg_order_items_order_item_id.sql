
    
    



select order_item_id
from pef_shop.stg_order_items
where order_item_id is null


