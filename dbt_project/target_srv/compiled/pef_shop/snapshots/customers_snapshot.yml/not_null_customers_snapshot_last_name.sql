
    
    



select last_name
from pef_shop.customers_snapshot
where last_name is null


