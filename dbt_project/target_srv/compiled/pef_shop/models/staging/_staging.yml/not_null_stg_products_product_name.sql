
    
    



select product_name
from pef_shop.stg_products
where product_name is null


