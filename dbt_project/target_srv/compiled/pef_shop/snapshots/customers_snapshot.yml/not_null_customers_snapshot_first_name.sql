
    
    



select first_name
from pef_shop.customers_snapshot
where first_name is null


