
    
    



select is_cash_like
from pef_shop.payment_methods
where is_cash_like is null


