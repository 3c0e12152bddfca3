
    
    



select payment_id
from pef_shop.stg_payments
where payment_id is null


