
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

select
    method as unique_field,
    count(*) as n_records

from pef_shop.payment_methods
where method is not null
group by method
having count(*) > 1



  
  
      
    ) dbt_internal_test