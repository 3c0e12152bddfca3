

select *
from pef_shop.stg_customers

where not (updated_at <= current_timestamp)

