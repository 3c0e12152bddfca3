
    
    

with all_values as (

    select
        category as value_field,
        count(*) as n_records

    from pef_shop.stg_products
    group by category

)

select *
from all_values
where value_field not in (
    'Books','Electronics','Home','Toys','Garden','Sports'
)


