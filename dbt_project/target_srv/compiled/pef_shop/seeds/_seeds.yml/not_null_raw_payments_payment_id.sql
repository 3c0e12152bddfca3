
    
    



select payment_id
from pef_shop.raw_payments
where payment_id is null


