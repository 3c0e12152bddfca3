

with meet_condition as (
    select * from pef_shop.customer_lifetime_value
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not lifetime_value >= 0
)

select * from validation_errors

