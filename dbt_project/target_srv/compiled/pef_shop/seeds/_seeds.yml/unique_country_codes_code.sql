
    
    

select
    code as unique_field,
    count(*) as n_records

from pef_shop.country_codes
where code is not null
group by code
having count(*) > 1


