
    
    



select updated_at
from pef_shop.stg_customers
where updated_at is null


