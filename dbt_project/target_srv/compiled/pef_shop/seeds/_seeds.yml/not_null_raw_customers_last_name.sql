
    
    



select last_name
from pef_shop.raw_customers
where last_name is null


