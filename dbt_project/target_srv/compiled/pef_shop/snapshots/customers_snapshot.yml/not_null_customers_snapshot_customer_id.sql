
    
    



select customer_id
from pef_shop.customers_snapshot
where customer_id is null


