
    
    



select order_date
from pef_shop.stg_orders
where order_date is null


