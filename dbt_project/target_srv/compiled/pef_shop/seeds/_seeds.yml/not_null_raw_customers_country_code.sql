
    
    



select country_code
from pef_shop.raw_customers
where country_code is null


