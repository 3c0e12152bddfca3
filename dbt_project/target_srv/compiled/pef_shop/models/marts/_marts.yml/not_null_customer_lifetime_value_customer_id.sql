
    
    



select customer_id
from pef_shop.customer_lifetime_value
where customer_id is null


