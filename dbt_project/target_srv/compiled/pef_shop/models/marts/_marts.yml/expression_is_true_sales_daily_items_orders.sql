

select *
from pef_shop.sales_daily

where not (items >= orders)

