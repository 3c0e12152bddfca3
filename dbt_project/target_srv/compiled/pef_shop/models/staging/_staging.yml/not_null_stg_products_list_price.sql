
    
    



select list_price
from pef_shop.stg_products
where list_price is null


