
    
    



select code
from pef_shop.country_codes
where code is null


