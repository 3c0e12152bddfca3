
    
    



select amount
from pef_shop.raw_payments
where amount is null


