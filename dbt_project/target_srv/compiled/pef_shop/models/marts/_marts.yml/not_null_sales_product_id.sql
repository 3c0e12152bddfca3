
    
    



select product_id
from pef_shop.sales
where product_id is null


