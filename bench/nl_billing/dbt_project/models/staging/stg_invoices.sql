select invoice_no, acct_id, issued_on, state, total_due, synced_at
from {{ ref('raw_invoices') }}
