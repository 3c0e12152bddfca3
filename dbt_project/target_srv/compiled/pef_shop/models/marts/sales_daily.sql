-- Sales per order day. Returned orders are not revenue.
select
    order_date,
    cast(count(distinct order_id) as integer) as orders,
    cast(sum(quantity) as integer) as items,
    cast(sum(amount) as numeric(18, 2)) as revenue
from pef_shop.sales
where order_status <> 'returned'
group by order_date