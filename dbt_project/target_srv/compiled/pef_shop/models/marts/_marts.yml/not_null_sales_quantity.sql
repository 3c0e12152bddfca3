
    
    



select quantity
from pef_shop.sales
where quantity is null


