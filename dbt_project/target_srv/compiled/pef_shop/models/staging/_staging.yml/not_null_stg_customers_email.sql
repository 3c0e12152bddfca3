
    
    



select email
from pef_shop.stg_customers
where email is null


