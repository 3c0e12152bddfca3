
    
    



select first_name
from pef_shop.dim_customers
where first_name is null


