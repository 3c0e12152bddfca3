
    
    



select last_name
from pef_shop.stg_customers
where last_name is null


