
    
    



select name
from pef_shop.country_codes
where name is null


