
    
    



select orders
from pef_shop.sales_daily
where orders is null


