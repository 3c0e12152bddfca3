

with meet_condition as (
    select * from pef_shop.stg_order_items
),

validation_errors as (
    select *
    from meet_condition
    where 1 = 2
        or not quantity >= 1
        or not quantity <= 100
)

select * from validation_errors

