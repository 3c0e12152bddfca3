"""Test phrasings beyond the first list: "can only be", "not in the future", possessives, model.column,
"primary key", shares of missing values, patterns; and those checks written and run by dbt."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.generators.natural_language import NotUnderstood, parse_request
from pef_gx.generators.natural_language.checks import REGEXES
from tests.conftest import clone, run_cli

# request -> [(kind, model, column, params)] of the asked checks
REQUESTS = [
    ("status in stg_orders can only be placed, shipped or completed", [("accepted_values", "stg_orders", "status", {"values": ["placed", "shipped", "completed"]})]),
    ("make sure fct_orders.status can only be placed or shipped", [("accepted_values", "fct_orders", "status", {"values": ["placed", "shipped"]})]),
    ("status in fct_orders is placed, shipped or completed", [("accepted_values", "fct_orders", "status", {"values": ["placed", "shipped", "completed"]})]),
    ("order_date in fct_orders must not be in the future", [("expression_is_true", "fct_orders", "order_date", {"expression": "<= current_timestamp"})]),
    ("stg_customers.updated_at should be in the past", [("expression_is_true", "stg_customers", "updated_at", {"expression": "<= current_timestamp"})]),
    ("customer_id in stg_customers is the primary key", [("not_null", "stg_customers", "customer_id", {}), ("unique", "stg_customers", "customer_id", {})]),
    ("at most 5% of emails in stg_customers may be missing", [("not_null_proportion", "stg_customers", "email", {"at_least": 0.95})]),
    ("no more than 10 percent of stg_customers.email can be null", [("not_null_proportion", "stg_customers", "email", {"at_least": 0.9})]),
    ("stg_customers.email must be at least 90% filled", [("not_null_proportion", "stg_customers", "email", {"at_least": 0.9})]),
    ("email in dim_customers must be a valid email", [("match_regex", "dim_customers", "email", {"regex": REGEXES["email"]})]),
    ("email of stg_customers should look like an email address", [("match_regex", "stg_customers", "email", {"regex": REGEXES["email"]})]),
    ("every sale's customer must exist in stg_customers", [("relationships", "sales", "customer_id", {"to": "model.pef_shop.stg_customers", "field": "customer_id"})]),
    ("quantity in sales can only be positive", [("accepted_range", "sales", "quantity", {"min_value": 0, "inclusive": False})]),
]  # fmt: skip


@pytest.mark.parametrize(("request_text", "expected"), REQUESTS)
def test_phrasings(index, request_text, expected):
    intent = parse_request(request_text, index)
    asked = [
        (c.spec.kind, intent.model.name, c.spec.columns[0], dict(c.spec.params))
        for c in intent.checks
        if not c.proposed
    ]
    assert asked == expected


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("status in stg_orders can only be shipped, positive or placed", "does not read as a list of values"),
        ("customer_id in dim_customers must not be in the future", "not a date"),
        ("at most 120% of emails in stg_customers may be missing", "not a share"),
        # neither orders model is declared to reference dim_customers: which one is a question (with
        # stg_customers, stg_orders is picked: its relationships test says so; see test_semantic.py)
        ("every order's customer must exist in dim_customers", "could mean fct_orders, stg_orders"),
    ],
)
def test_phrasings_refused(index, request_text, message):
    with pytest.raises(NotUnderstood, match=message):
        parse_request(request_text, index)


def test_new_phrasings_are_written_and_run_by_dbt(billing_ws: Path, tmp_path: Path):
    ws = clone(billing_ws, tmp_path / "ws")
    cases = [
        ("invoice_no in fct_invoices is the primary key", 0, ["PASS not_null_fct_invoices_invoice_no", "PASS unique_fct_invoices_invoice_no"]),
        ("at most 5% of contact emails in stg_accounts may be missing", 1, ["FAIL pef_gx_not_null_proportion_stg_accounts_0_95__contact_email: 1 failing row"]),
        ("stg_accounts.contact_email must be a valid email", 0, ["PASS pef_gx_match_regex_stg_accounts_contact_email"]),
        ("issued_on in stg_invoices must not be in the future", 0, ["PASS pef_gx_expression_is_true_stg_invoices"]),
        ("region in stg_accounts can only be emea, amer or apac", 0, ["PASS accepted_values_stg_accounts_region"]),
    ]  # fmt: skip
    for request_text, code, wanted in cases:
        proc = run_cli("ask", request_text, cwd=ws)
        assert proc.returncode == code, request_text + "\n" + proc.stdout + proc.stderr
        for text in wanted:
            assert text in proc.stdout, request_text + "\n" + proc.stdout
