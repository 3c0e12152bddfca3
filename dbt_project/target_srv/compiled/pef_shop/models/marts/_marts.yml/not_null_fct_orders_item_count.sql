
    
    



select item_count
from pef_shop.fct_orders
where item_count is null


