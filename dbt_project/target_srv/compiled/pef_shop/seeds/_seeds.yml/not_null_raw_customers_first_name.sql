
    
    



select first_name
from pef_shop.raw_customers
where first_name is null


