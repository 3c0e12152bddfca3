
    
    



select order_id
from pef_shop.stg_orders
where order_id is null


