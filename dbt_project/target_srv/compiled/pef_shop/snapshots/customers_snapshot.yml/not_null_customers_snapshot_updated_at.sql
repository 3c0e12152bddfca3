
    
    



select updated_at
from pef_shop.customers_snapshot
where updated_at is null


