
    
    



select product_id
from pef_shop.raw_products
where product_id is null


