
    
    



select order_status
from pef_shop.sales
where order_status is null


