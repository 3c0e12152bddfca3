
    
    



select country_code
from pef_shop.customers_snapshot
where country_code is null


