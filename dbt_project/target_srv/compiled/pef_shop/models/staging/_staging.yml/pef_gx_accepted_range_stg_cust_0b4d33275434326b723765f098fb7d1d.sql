
select signup_date
from pef_shop.stg_customers
where 1 = 2
    or signup_date < '2021-09-17'
    or signup_date > '2025-03-11'
