
    
    

with all_values as (

    select
        product_category as value_field,
        count(*) as n_records

    from pef_shop.sales
    group by product_category

)

select *
from all_values
where value_field not in (
    'Books','Electronics','Garden','Home','Sports','Toys'
)


