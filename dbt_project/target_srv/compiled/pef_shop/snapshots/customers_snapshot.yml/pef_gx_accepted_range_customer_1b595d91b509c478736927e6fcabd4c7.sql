
select updated_at
from pef_shop.customers_snapshot
where 1 = 2
    or updated_at < '2014-03-31'
    or updated_at > '2107-10-20'
