
    
    



select order_date
from pef_shop.fct_orders
where order_date is null


