
    
    



select payment_method
from pef_shop.stg_payments
where payment_method is null


