
    
    



select order_id
from pef_shop.sales
where order_id is null


