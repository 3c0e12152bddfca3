
select updated_at
from pef_shop.stg_customers
where 1 = 2
    or updated_at < '2014-03-31'
    or updated_at > '2107-10-20'
