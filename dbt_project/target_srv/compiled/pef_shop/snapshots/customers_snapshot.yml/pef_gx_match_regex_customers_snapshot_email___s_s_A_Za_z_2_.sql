
select email
from pef_shop.customers_snapshot
where email is not null
  and not (email rlike '^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$')
