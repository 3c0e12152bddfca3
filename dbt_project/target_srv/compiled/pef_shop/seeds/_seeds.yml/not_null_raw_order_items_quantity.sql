
    
    



select quantity
from pef_shop.raw_order_items
where quantity is null


