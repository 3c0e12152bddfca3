
    
    



select dbt_scd_id
from pef_shop.customers_snapshot
where dbt_scd_id is null


