"""Never silently wrong: columns come from the built relations, every meaning-bearing word is read or the
request is refused (exit 2, nothing written), a column several models have is a question."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.generators import natural_language as nl
from pef_gx.generators.natural_language import ModelIntent, NotUnderstood, parse_request
from tests.conftest import clone, run_cli
from tests.conftest import snapshot_tree as snapshot


def test_columns_come_from_the_built_relation_not_only_the_yaml(billing_index):
    fct = billing_index.models["fct_invoices"]
    # the YAML documents 2 of its 8 columns; the warehouse has all of them, with their types
    assert list(fct.columns) == [
        "invoice_no", "acct_id", "region", "plan_tier", "issued_on", "state", "amount", "refunded_amount",
    ]  # fmt: skip
    assert fct.built and fct.columns["issued_on"] == "DATE"
    assert fct.descriptions["invoice_no"] == "Invoice key."
    refunds = billing_index.models["stg_refunds"]  # no column documented at all
    assert "amount" in refunds.columns
    intent = parse_request("amount in stg_refunds must be positive", billing_index)
    assert isinstance(intent, nl.TestIntent) and intent.checks[0].spec.columns == ("amount",)


def test_a_column_of_several_models_is_a_question(billing_index):
    with pytest.raises(NotUnderstood) as info:
        parse_request("make sure the amount is positive", billing_index)
    assert (
        info.value.message
        == "which model? 'amount' is a column of 3 models: fct_invoices, raw_refunds, stg_refunds"
    )
    # one owner: answered, and the reading says where the model came from
    intent = parse_request("refunded_amount is never negative", billing_index)
    assert intent.model.name == "fct_invoices"
    assert [str(r) for r in intent.reading][1:] == [
        "model fct_invoices <- '(the only model with refunded_amount)'",
        "column refunded_amount <- 'refunded_amount'",
    ]


@pytest.mark.parametrize(
    ("request_text", "unread"),
    [
        ("median revenue per month", ["'median'"]),
        ("monthly revenue growth", ["'growth'"]),
        ("top 5 customers by revenue growth", ["'growth'"]),
        ("cumulative monthly revenue", ["'cumulative'"]),
    ],
)
def test_model_request_with_words_it_does_not_read_is_refused(index, request_text, unread):
    with pytest.raises(NotUnderstood) as info:
        parse_request(request_text, index)
    assert info.value.message.startswith("did not understand ")
    assert all(word in info.value.message for word in unread), info.value.message


@pytest.mark.parametrize(
    "request_text",
    [
        "quantity in sales must be positive when status is shipped",
        "unit price in sales should be at least 1 unless the order is returned",
        "email in stg_customers must not be null except for old customers",
    ],
)
def test_check_on_some_rows_only_is_refused(index, request_text):
    with pytest.raises(NotUnderstood, match="did not understand"):
        parse_request(request_text, index)


def test_model_reading_names_its_parts(index):
    intent = parse_request("monthly sales by product category", index)
    assert isinstance(intent, ModelIntent)
    parts = {r.part: (r.value, r.words) for r in intent.reading}
    assert parts["measure"] == ("sum(amount) as sales", "sales")
    assert parts["grain"][1] in ("monthly", "product category")


def test_cli_question_exits_2_one_line_and_writes_nothing(billing_ws: Path, tmp_path: Path):
    ws = clone(billing_ws, tmp_path / "ws")
    before = snapshot(ws)
    proc = run_cli("ask", "make sure the amount is positive", cwd=ws)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        len(proc.stderr.strip().splitlines()) == 1 and "fct_invoices, raw_refunds, stg_refunds" in proc.stderr
    )
    proc = run_cli("ask", "cumulative monthly revenue", cwd=ws)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert snapshot(ws) == before
