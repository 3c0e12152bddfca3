

select *
from pef_shop.sales

where not (amount = quantity * unit_price)

