
    
    



select name
from pef_shop.raw_products
where name is null


