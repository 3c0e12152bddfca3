
    
    



select items
from pef_shop.sales_daily
where items is null


