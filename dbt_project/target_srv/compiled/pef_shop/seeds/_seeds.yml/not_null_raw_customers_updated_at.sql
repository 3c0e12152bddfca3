
    
    



select updated_at
from pef_shop.raw_customers
where updated_at is null


