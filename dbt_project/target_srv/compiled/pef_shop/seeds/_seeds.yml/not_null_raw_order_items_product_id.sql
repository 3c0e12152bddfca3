
    
    



select product_id
from pef_shop.raw_order_items
where product_id is null


