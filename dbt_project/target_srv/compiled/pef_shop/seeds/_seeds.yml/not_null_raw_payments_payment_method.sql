
    
    



select payment_method
from pef_shop.raw_payments
where payment_method is null


