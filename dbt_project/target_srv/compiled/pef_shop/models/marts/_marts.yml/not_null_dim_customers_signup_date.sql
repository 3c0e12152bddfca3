
    
    



select signup_date
from pef_shop.dim_customers
where signup_date is null


