
    
    



select signup_date
from pef_shop.stg_customers
where signup_date is null


