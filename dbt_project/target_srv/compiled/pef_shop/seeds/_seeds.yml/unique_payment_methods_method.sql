
    
    

select
    method as unique_field,
    count(*) as n_records

from pef_shop.payment_methods
where method is not null
group by method
having count(*) > 1


