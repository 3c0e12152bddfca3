
    
    



select payment_total
from pef_shop.fct_orders
where payment_total is null


