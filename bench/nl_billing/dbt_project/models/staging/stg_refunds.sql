select refund_id, invoice_no, amount, refunded_on
from {{ ref('raw_refunds') }}
