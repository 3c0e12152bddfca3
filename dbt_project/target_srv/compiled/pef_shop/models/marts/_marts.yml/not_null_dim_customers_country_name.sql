
    
    



select country_name
from pef_shop.dim_customers
where country_name is null


