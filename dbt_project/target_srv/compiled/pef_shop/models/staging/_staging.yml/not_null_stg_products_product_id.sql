
    
    



select product_id
from pef_shop.stg_products
where product_id is null


