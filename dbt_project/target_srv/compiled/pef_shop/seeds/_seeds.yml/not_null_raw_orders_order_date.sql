
    
    



select order_date
from pef_shop.raw_orders
where order_date is null


