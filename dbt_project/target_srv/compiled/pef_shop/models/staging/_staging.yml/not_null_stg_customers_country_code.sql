
    
    



select country_code
from pef_shop.stg_customers
where country_code is null


