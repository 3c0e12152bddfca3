
    
    



select unit_price
from pef_shop.raw_order_items
where unit_price is null


