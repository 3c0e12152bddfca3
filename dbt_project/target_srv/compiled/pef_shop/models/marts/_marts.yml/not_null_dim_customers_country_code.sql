
    
    



select country_code
from pef_shop.dim_customers
where country_code is null


