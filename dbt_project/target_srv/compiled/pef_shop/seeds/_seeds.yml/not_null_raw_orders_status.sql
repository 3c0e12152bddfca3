
    
    



select status
from pef_shop.raw_orders
where status is null


