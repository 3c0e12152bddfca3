
select most_recent
from (select max(dbt_updated_at) as most_recent from pef_shop.customers_snapshot) as r
where most_recent is null
   or cast(most_recent as timestamp) < cast(current_timestamp - interval '1 day' as timestamp)
