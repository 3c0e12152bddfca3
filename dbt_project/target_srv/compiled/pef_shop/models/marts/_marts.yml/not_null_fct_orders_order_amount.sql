
    
    



select order_amount
from pef_shop.fct_orders
where order_amount is null


