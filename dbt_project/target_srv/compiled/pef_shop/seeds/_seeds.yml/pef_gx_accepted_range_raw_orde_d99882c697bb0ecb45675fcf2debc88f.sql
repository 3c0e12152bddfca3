
select _loaded_at
from pef_shop.raw_orders
where 1 = 2
    or _loaded_at < '2023-11-25'
    or _loaded_at > '2025-02-08'
