
    
    



select lifetime_value
from pef_shop.customer_lifetime_value
where lifetime_value is null


