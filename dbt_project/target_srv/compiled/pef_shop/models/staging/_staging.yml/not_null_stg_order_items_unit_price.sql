
    
    



select unit_price
from pef_shop.stg_order_items
where unit_price is null


