
    
    



select payment_count
from pef_shop.fct_orders
where payment_count is null


