
    
    



select order_date
from pef_shop.sales_daily
where order_date is null


