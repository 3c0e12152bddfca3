
    
    



select category
from pef_shop.stg_products
where category is null


