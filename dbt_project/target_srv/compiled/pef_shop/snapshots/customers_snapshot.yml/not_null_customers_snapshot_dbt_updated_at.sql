
    
    



select dbt_updated_at
from pef_shop.customers_snapshot
where dbt_updated_at is null


