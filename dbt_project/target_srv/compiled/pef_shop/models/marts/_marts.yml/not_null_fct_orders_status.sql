
    
    



select status
from pef_shop.fct_orders
where status is null


