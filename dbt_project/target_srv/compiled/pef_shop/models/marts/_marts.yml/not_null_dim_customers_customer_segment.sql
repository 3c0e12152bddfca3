
    
    



select customer_segment
from pef_shop.dim_customers
where customer_segment is null


