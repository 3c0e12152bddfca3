
    
    



select loaded_at
from pef_shop.stg_orders
where loaded_at is null


