
select dbt_valid_from
from pef_shop.customers_snapshot
where 1 = 2
    or dbt_valid_from < '2014-03-31'
    or dbt_valid_from > '2107-10-20'
