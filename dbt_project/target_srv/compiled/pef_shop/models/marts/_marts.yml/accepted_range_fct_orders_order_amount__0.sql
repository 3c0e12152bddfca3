

with meet_condition as (
    select * from pef_shop.fct_orders
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not order_amount >= 0
)

select * from validation_errors

