"""The project's dbt semantic layer (bench/nl_billing: semantic models, metrics, a time spine) and joins to
related models: read on the real manifest and warehouse, built by dbt, equal to a reference query."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.generators.natural_language import ModelIntent, NotUnderstood, parse_request
from tests.conftest import clone, run_cli


def _norm(row: tuple) -> tuple:
    return tuple(
        round(float(v), 6) if isinstance(v, (int, float)) or type(v).__name__ == "Decimal" else v for v in row
    )


def test_the_semantic_layer_is_read_from_the_manifest(billing_index, index):
    layer = billing_index.semantic
    kinds = {m.name: (m.kind, m.agg, m.refused is None) for m in layer.measures}
    assert kinds["billings"] == ("metric", "sum", True)
    assert kinds["collection_rate"] == ("metric", "ratio", True)
    assert kinds["cumulative_billings"][2] is False  # known by name, refused with its reason
    assert kinds["refund_ratio"][2] is False  # numerator and denominator on two models
    paid = next(m for m in layer.measures if m.name == "paid_invoices")
    assert paid.describe() == "count(invoice_no) where state = 'paid'" and paid.time_column == "issued_on"
    assert ("acct_id", "model.billing.stg_accounts", "acct_id") in layer.joins("model.billing.fct_invoices")
    assert layer.time_spines == frozenset({"model.billing.metricflow_time_spine"})
    assert not index.semantic  # the sample project has none: ask reads it as before


@pytest.mark.parametrize(
    ("request_text", "source", "grain", "expr", "filters", "read"),
    [
        ("monthly billings", "fct_invoices", ("date_month",), "sum(amount)", ["issued_on is not null"],
         "metric billings = sum(amount) (semantic model invoices) <- 'billings'"),
        ("paid invoices per month", "fct_invoices", ("date_month",), "count(invoice_no)",
         ["state = 'paid'", "issued_on is not null"], "metric paid_invoices"),
        ("collection rate by tier", "fct_invoices", ("plan_tier",),
         "cast(sum(case when state = 'paid' then amount else 0 end) as double precision) / nullif(sum(amount), 0)",
         [], "metric collection_rate"),
        # the metric's own time dimension (opened_on), not a date column guessed from the names
        ("signups per quarter", "stg_accounts", ("date_quarter",), "count(distinct acct_id)",
         ["opened_on is not null"], "metric signups"),
        ("average billings per account", "fct_invoices", (), "avg(per_entity_value)", [], "metric billings"),
        # a measure (not a metric) is a per-row expression with an aggregation: its values can be averaged
        ("average refund amount per month", "stg_refunds", ("date_month",), "avg(amount)",
         ["refunded_on is not null"], "measure refund_amount"),
    ],
)  # fmt: skip
def test_metrics_and_measures_by_name(billing_index, request_text, source, grain, expr, filters, read):
    intent = parse_request(request_text, billing_index)
    assert isinstance(intent, ModelIntent)
    assert (intent.source.name, intent.grain) == (source, grain)
    assert intent.slots["measure_expr"] == expr
    assert intent.slots["filters"] == filters
    assert any(str(r).startswith(read) for r in intent.reading), intent.reading


@pytest.mark.parametrize(
    ("request_text", "why"),
    [
        ("cumulative billings by month", "cumulative metric"),
        ("refund ratio per month", "different models"),
        ("highest billings per month", "the max of it is not one"),
        ("average billings", "the avg of it is not one"),  # average of what per what: a question
    ],
)
def test_metrics_that_are_not_composed_are_refused_with_the_reason(billing_index, request_text, why):
    with pytest.raises(NotUnderstood, match=why):
        parse_request(request_text, billing_index)


def test_metric_models_are_built_and_equal_the_reference(billing_ws: Path, tmp_path: Path):
    import duckdb

    ws = clone(billing_ws, tmp_path / "ws")
    cases = {
        "collected revenue per region": "select region, sum(case when state = 'paid' then amount else 0 end)"
        " from main.fct_invoices group by 1",
        "paid invoices per month": "select date_trunc('month', issued_on)::date, count(invoice_no) from"
        " main.fct_invoices where state = 'paid' group by 1",
        # a measure of one model, a filter on a related one (joined on its unique key: no row duplicated)
        "refund total for enterprise accounts": "select sum(r.amount) from main.stg_refunds r left join"
        " main.fct_invoices i using (invoice_no) where i.plan_tier = 'enterprise'",
    }
    for request_text, reference in cases.items():
        proc = run_cli("ask", request_text, cwd=ws)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        name = request_text.replace(" ", "_")
        assert f"dbt build: model {name} success" in proc.stdout
        assert "semantic model" in proc.stdout.splitlines()[0]  # the read: line names the metric's words
        con = duckdb.connect(str(ws / "dbt_project/billing.duckdb"), read_only=True)
        try:
            got = sorted(map(_norm, con.execute(f"select * from main.{name}").fetchall()), key=repr)
            want = sorted(map(_norm, con.execute(reference).fetchall()), key=repr)
        finally:
            con.close()
        assert got == want and len(got) > 0


def test_joins_for_filters_and_measures_on_the_sample(built: Path):
    """Two hops (payments -> orders -> customers) for a grouping column; a filter on a related model."""
    import duckdb

    cases = {
        "average payment amount per customer segment": "select c.customer_segment, avg(p.amount) from"
        " main.stg_payments p left join main.stg_orders o using (order_id) left join main.dim_customers c"
        " on c.customer_id = o.customer_id group by 1",
        "total order amount for customers in Germany": "select sum(o.order_amount) from main.fct_orders o"
        " left join main.dim_customers c using (customer_id) where c.country_name = 'Germany'",
    }
    for request_text, reference in cases.items():
        proc = run_cli("ask", request_text, cwd=built)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "no row of" in proc.stdout  # the join is said, and why it keeps the grain
        name = request_text.lower().replace(" ", "_")
        con = duckdb.connect(str(next((built / "dbt_project").glob("*.duckdb"))), read_only=True)
        try:
            got = sorted(map(_norm, con.execute(f"select * from main.{name}").fetchall()), key=repr)
            want = sorted(map(_norm, con.execute(reference).fetchall()), key=repr)
        finally:
            con.close()
        assert got == want and len(got) > 0


@pytest.mark.parametrize(
    "request_text",
    [
        "total lifetime value per order status",  # the grouping column is on the many side: fan-out
        "number of orders for customers in Atlantis",  # no model holds the value
    ],
)
def test_joins_that_would_duplicate_rows_or_guess_are_refused(built: Path, request_text: str):
    proc = run_cli("ask", request_text, "--dry-run", cwd=built)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_possessive_with_two_candidates_picks_the_one_declared_to_reference_the_parent(built: Path):
    proc = run_cli("ask", "every order's customer must exist in stg_customers", "--dry-run", cwd=built)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    read = proc.stdout.splitlines()[0]
    assert (
        "model stg_orders (of stg_orders, fct_orders: the one whose customer is declared to reference" in read
    )
    assert "asked: relationships on stg_orders.customer_id (to=stg_customers" in proc.stdout
    # neither fct_orders nor stg_orders is declared to reference dim_customers: still a question
    proc = run_cli("ask", "every order's customer must exist in dim_customers", "--dry-run", cwd=built)
    assert proc.returncode == 2 and "could mean fct_orders, stg_orders" in proc.stderr


def test_order_lines_are_the_rows_of_a_model_below_the_order(index):
    """'order lines': rows of a model that holds the order key without it being unique (its own key is)."""
    intent = parse_request("number of order lines per product category", index)
    assert isinstance(intent, ModelIntent)
    assert (intent.source.name, intent.grain, intent.slots["measure_expr"]) == (
        "sales",
        ("product_category",),
        "count(*)",
    )
    assert any(r.part == "counted" and r.words == "order lines" for r in intent.reading)
