
    
    



select product_id
from pef_shop.stg_order_items
where product_id is null


