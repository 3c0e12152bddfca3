
    
    



select quantity
from pef_shop.stg_order_items
where quantity is null


