select
    i.invoice_no,
    i.acct_id,
    a.region,
    a.plan_tier,
    i.issued_on,
    i.state,
    i.total_due as amount,
    coalesce(r.refunded, 0) as refunded_amount
from {{ ref('stg_invoices') }} as i
left join {{ ref('stg_accounts') }} as a on a.acct_id = i.acct_id
left join (
    select invoice_no, sum(amount) as refunded from {{ ref('stg_refunds') }} group by invoice_no
) as r on r.invoice_no = i.invoice_no
