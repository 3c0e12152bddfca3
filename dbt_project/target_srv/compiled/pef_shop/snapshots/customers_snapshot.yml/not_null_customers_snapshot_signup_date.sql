
    
    



select signup_date
from pef_shop.customers_snapshot
where signup_date is null


