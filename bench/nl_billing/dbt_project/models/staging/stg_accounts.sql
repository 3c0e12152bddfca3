select acct_id, acct_name, lower(nullif(contact_email, '')) as contact_email, region, plan_tier, opened_on
from {{ ref('raw_accounts') }}
