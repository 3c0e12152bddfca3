
    
    



select order_id
from pef_shop.stg_payments
where order_id is null


