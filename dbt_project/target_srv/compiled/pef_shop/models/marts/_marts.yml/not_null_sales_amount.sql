
    
    



select amount
from pef_shop.sales
where amount is null


