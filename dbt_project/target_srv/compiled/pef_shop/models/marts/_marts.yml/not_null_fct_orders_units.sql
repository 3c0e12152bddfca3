
    
    



select units
from pef_shop.fct_orders
where units is null


