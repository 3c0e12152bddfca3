
    
    



select first_name
from pef_shop.stg_customers
where first_name is null


