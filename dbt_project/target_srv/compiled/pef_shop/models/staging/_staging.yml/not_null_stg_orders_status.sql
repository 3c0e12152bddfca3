
    
    



select status
from pef_shop.stg_orders
where status is null


