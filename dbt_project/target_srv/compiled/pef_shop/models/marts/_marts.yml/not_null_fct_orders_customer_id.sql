
    
    



select customer_id
from pef_shop.fct_orders
where customer_id is null


