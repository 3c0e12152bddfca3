
select email
from pef_shop.dim_customers
where email is not null
  and not (email rlike '^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$')
