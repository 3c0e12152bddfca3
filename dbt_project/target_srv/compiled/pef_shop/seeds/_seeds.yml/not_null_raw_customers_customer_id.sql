
    
    



select customer_id
from pef_shop.raw_customers
where customer_id is null


