
    
    



select unit_price
from pef_shop.sales
where unit_price is null


