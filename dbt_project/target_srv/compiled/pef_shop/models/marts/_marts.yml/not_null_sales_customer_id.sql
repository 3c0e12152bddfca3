
    
    



select customer_id
from pef_shop.sales
where customer_id is null


