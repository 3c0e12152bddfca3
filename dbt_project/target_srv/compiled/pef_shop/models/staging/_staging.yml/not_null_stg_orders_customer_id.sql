
    
    



select customer_id
from pef_shop.stg_orders
where customer_id is null


