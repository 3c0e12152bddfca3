-- Singular test: a customer cannot order before signing up. Returns the offending orders.
select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    customers.signup_date
from {{ ref('stg_orders') }} as orders
inner join {{ ref('stg_customers') }} as customers
    on orders.customer_id = customers.customer_id
where orders.order_date < customers.signup_date
