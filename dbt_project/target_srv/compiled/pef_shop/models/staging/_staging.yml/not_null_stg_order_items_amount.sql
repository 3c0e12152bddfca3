
    
    



select amount
from pef_shop.stg_order_items
where amount is null


