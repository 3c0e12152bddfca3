
    
    



select email
from pef_shop.raw_customers
where email is null


