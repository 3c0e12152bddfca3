"""Model requests composed from parts (measure + aggregation, filters on real values, time grain,
grouping, window): read on the real manifest and warehouse, built by dbt, equal to a reference query."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.generators.natural_language import ModelIntent, NotUnderstood, parse_request, render_model
from tests.conftest import clone, run_cli


@pytest.mark.parametrize(
    ("request_text", "source", "grain", "expr", "filters"),
    [
        ("share of refunded invoices per month", "fct_invoices", ("date_month",),
         "cast(sum(case when state in ('refunded') then 1 else 0 end) as double precision) / nullif(count(*), 0)",
         ["issued_on is not null"]),
        # paid_invoices is a metric of the project's semantic layer: its measure and its filter
        ("number of paid invoices per region", "fct_invoices", ("region",), "count(invoice_no)", ["state = 'paid'"]),
        ("average amount per plan tier", "fct_invoices", ("plan_tier",), "avg(amount)", []),
        ("largest refund per invoice", "stg_refunds", ("invoice_no",), "max(amount)", []),
        ("first invoice date per account", "fct_invoices", ("acct_id",), "min(issued_on)", []),
        ("total refunded amount in 2024", "fct_invoices", (), "sum(refunded_amount)",
         ["extract(year from issued_on) = 2024"]),
        ("average revenue per account", "fct_invoices", (), "avg(per_entity_value)", []),
        ("number of refunds per region", "stg_refunds", ("region",), "count(*)", []),
        ("top 2 regions by revenue of paid invoices", "fct_invoices", ("region",), "sum(amount)", ["state in ('paid')"]),
    ],
)  # fmt: skip
def test_composed_requests(billing_index, request_text, source, grain, expr, filters):
    intent = parse_request(request_text, billing_index)
    assert isinstance(intent, ModelIntent) and intent.template == "aggregate"
    assert (intent.source.name, intent.grain) == (source, grain)
    assert intent.slots["measure_expr"] == expr
    assert intent.slots["filters"] == filters
    sql, _ = render_model(intent, billing_index.dbt_version)
    assert "{{ ref('" + source + "') }}" in sql


@pytest.mark.parametrize(
    "request_text",
    [
        "share of invoices per month",
        "median amount per region",
        "revenue per planet",
        "average number of invoices",
    ],
)
def test_composition_refuses_what_it_cannot_read(billing_index, request_text):
    with pytest.raises(NotUnderstood):
        parse_request(request_text, billing_index)


def _norm(row: tuple) -> tuple:
    return tuple(
        round(float(v), 6) if isinstance(v, (int, float)) or type(v).__name__ == "Decimal" else v for v in row
    )


def test_composed_models_are_built_and_equal_the_reference(billing_ws: Path, tmp_path: Path):
    import duckdb

    ws = clone(billing_ws, tmp_path / "ws")
    cases = {
        "share of refunded invoices per month": "select date_trunc('month', issued_on)::date, avg(case when"
        " state = 'refunded' then 1.0 else 0 end) from main.fct_invoices group by 1",
        "average revenue per account": "select avg(s) from (select acct_id, sum(amount) s from main.fct_invoices"
        " group by 1)",
        # a column of a parent, joined on its unique key (both have `amount`: the source's is summed)
        "total refunds per plan tier": "select i.plan_tier, sum(r.amount) from main.stg_refunds r left join"
        " main.fct_invoices i using (invoice_no) group by 1",
        # top N with a filter: ranked, the first N kept (ties share a rank)
        "top 2 regions by revenue of paid invoices": "select region, s, r from (select region, sum(amount) s,"
        " rank() over (order by sum(amount) desc) r from main.fct_invoices where state = 'paid' group by 1)"
        " where r <= 2",
    }
    for request_text, reference in cases.items():
        proc = run_cli("ask", request_text, cwd=ws)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        name = request_text.replace(" ", "_")
        assert f"dbt build: model {name} success" in proc.stdout
        con = duckdb.connect(str(ws / "dbt_project/billing.duckdb"), read_only=True)
        try:
            got = sorted(map(_norm, con.execute(f"select * from main.{name}").fetchall()), key=repr)
            want = sorted(map(_norm, con.execute(reference).fetchall()), key=repr)
        finally:
            con.close()
        assert got == want and len(got) > 0
