
    
    



select order_id
from pef_shop.raw_payments
where order_id is null


