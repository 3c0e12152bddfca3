
    
    



select amount
from pef_shop.stg_payments
where amount is null


