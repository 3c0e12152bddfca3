
    
    



select order_date
from pef_shop.sales
where order_date is null


