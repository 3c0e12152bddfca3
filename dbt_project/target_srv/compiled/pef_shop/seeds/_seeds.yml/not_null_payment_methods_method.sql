
    
    



select method
from pef_shop.payment_methods
where method is null


