
    
    



select order_item_id
from pef_shop.sales
where order_item_id is null


