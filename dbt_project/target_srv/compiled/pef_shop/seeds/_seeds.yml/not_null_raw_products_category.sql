
    
    



select category
from pef_shop.raw_products
where category is null


