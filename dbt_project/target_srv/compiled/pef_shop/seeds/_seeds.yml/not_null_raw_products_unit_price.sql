
    
    



select unit_price
from pef_shop.raw_products
where unit_price is null


