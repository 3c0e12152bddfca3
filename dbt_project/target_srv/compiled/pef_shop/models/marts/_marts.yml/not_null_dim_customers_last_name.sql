
    
    



select last_name
from pef_shop.dim_customers
where last_name is null


