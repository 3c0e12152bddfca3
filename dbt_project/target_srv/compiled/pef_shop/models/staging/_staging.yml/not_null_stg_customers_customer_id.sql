
    
    



select customer_id
from pef_shop.stg_customers
where customer_id is null


