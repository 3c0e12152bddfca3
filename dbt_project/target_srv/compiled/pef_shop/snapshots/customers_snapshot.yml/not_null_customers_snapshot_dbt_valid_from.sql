
    
    



select dbt_valid_from
from pef_shop.customers_snapshot
where dbt_valid_from is null


