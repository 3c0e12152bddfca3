

with meet_condition as (
    select * from pef_shop.customer_lifetime_value
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not total_orders >= 1
)

select * from validation_errors

