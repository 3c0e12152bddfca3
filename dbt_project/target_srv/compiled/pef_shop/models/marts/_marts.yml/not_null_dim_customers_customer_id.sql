
    
    



select customer_id
from pef_shop.dim_customers
where customer_id is null


