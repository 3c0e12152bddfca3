
    
    



select revenue
from pef_shop.sales_daily
where revenue is null


