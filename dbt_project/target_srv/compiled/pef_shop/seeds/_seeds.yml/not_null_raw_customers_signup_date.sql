
    
    



select signup_date
from pef_shop.raw_customers
where signup_date is null


