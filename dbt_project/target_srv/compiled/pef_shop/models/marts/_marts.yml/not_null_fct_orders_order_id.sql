
    
    



select order_id
from pef_shop.fct_orders
where order_id is null


