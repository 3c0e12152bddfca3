

select *
from pef_shop.stg_customers

where not (cast(updated_at as date) >= signup_date)

