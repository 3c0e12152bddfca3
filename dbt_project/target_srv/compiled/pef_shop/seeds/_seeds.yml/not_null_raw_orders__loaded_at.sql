
    
    



select _loaded_at
from pef_shop.raw_orders
where _loaded_at is null


