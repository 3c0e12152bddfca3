

with meet_condition as (
    select * from pef_shop.stg_payments
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not amount >= 0
        or not amount <= 10000
)

select * from validation_errors

