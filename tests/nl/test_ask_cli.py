"""`pef-gx ask` end to end: real dbt on DuckDB (and PostgreSQL), files written, verified, rolled back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import clone, dbt, run_cli
from tests.conftest import snapshot_tree as snapshot

pytestmark = pytest.mark.integration

MARTS = Path("dbt_project/models/marts/_marts.yml")
STAGING = Path("dbt_project/models/staging/_staging.yml")


def _is_subsequence(old: str, new: str) -> bool:
    lines = iter(new.splitlines())
    return all(any(line == candidate for candidate in lines) for line in old.splitlines())


def test_spec_example_never_null_reports_the_orphan_product(built: Path):
    """Spec example 2: not_null passes; the proposed relationships to stg_products fails on product 999."""
    before = snapshot(built)
    proc = run_cli("ask", "Ensure the 'product_id' column in my 'sales' table is never null", cwd=built)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "not_null on sales.product_id" in out
    assert "proposed: relationships on sales.product_id (to=stg_products, field=product_id)" in out
    assert "product_id is the unique key of stg_products" in out
    assert "PASS not_null_sales_product_id" in out
    # the planted defect: one order item sells product 999, which stg_products does not have
    assert "relationships_sales_product_id__product_id__ref_stg_products_: 1 failing row" in out
    # both tests already exist in the sample project: found and run, nothing written twice
    assert "files: nothing to write" in out
    assert snapshot(built) == before


def test_new_tests_are_written_verified_and_recognised_next_time(built: Path):
    old_marts = (built / MARTS).read_text()
    proc = run_cli("ask", "make sure customer id in sales is never null", cwd=built)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "proposed: relationships on sales.customer_id (to=stg_customers" in out
    assert "PASS relationships_sales_customer_id__customer_id__ref_stg_customers_" in out
    assert "PASS not_null_sales_customer_id" in out
    new_marts = (built / MARTS).read_text()
    assert _is_subsequence(old_marts, new_marts)  # hand-written YAML kept line for line
    assert "to: ref('stg_customers')" in new_marts and "origin: natural_language" in new_marts
    suite = json.loads((built / "suites/sales.json").read_text())
    (expectation,) = [
        e for e in suite["expectations"] if e["meta"]["pef_gx"]["origin"]["type"] == "natural_language"
    ]
    assert expectation["type"] == "unexpected_rows_expectation"
    assert expectation["meta"]["pef_gx"]["origin"]["type"] == "natural_language"
    assert expectation["meta"]["pef_gx"]["params"]["to"] == "model.pef_shop.stg_customers"

    again = run_cli("ask", "make sure customer id in sales is never null", "--no-verify", cwd=built)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already tested by relationships_sales_customer_id" in again.stdout
    assert (built / MARTS).read_text() == new_marts


def test_a_new_check_the_data_breaks_is_kept_and_exits_1(built: Path):
    proc = run_cli("ask", "order_status in sales has no duplicates", cwd=built)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL unique_sales_order_status:" in proc.stdout
    assert "failing rows" in proc.stdout  # dbt's count of duplicated values
    assert "- unique:" in (built / MARTS).read_text()


def test_recency_request_on_stale_data_fails_with_one_row(built: Path):
    proc = run_cli("ask", "orders should be loaded within 2 days", cwd=built)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "recency measured on stg_orders.loaded_at" in proc.stdout
    assert ": 1 failing row" in proc.stdout


def test_spec_example_customer_lifetime_value_model_builds_and_is_right(built: Path):
    """Spec example 1: a generated model that dbt builds, with its tests passing, and correct numbers."""
    proc = run_cli("ask", "Create a model that calculates customer lifetime value", cwd=built)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    name = "customer_lifetime_value_generated"  # the sample project already has customer_lifetime_value
    assert f"the new model is {name}" in out
    assert f"dbt build: model {name} success" in out
    assert f"PASS unique_{name}_customer_id" in out and f"PASS not_null_{name}_customer_id" in out
    sql = (built / f"dbt_project/models/generated/{name}.sql").read_text()
    assert "{{ ref('fct_orders') }}" in sql
    assert (built / f"dbt_project/models/generated/{name}.yml").is_file()

    import duckdb

    con = duckdb.connect(str(built / "dbt_project/pef_shop.duckdb"), read_only=True)
    try:
        got = con.execute(
            f"select count(*), sum(lifetime_value), sum(total_orders) from main.{name}"
        ).fetchone()
        want = con.execute(
            "select count(distinct customer_id), sum(order_amount), count(*) from main.fct_orders"
        ).fetchone()
    finally:
        con.close()
    assert got[0] == want[0] and float(got[1]) == pytest.approx(float(want[1])) and got[2] == want[2]

    # with the sample's business rule said in words, it equals the hand-written model row for row
    proc = run_cli("ask", "customer lifetime value excluding returned orders", cwd=built)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "left out: status is returned" in proc.stdout
    con = duckdb.connect(str(built / "dbt_project/pef_shop.duckdb"), read_only=True)
    try:
        differing = con.execute(
            "select count(*) from main.customer_lifetime_value_excluding_returned as g"
            " full join main.customer_lifetime_value as h using (customer_id)"
            " where g.lifetime_value is distinct from h.lifetime_value or g.total_orders is distinct from"
            " h.total_orders or g.first_order_date is distinct from h.first_order_date"
            " or g.last_order_date is distinct from h.last_order_date"
            " or g.days_since_last_order is null"
        ).fetchone()[0]
    finally:
        con.close()
    assert differing == 0


def test_monthly_sales_by_category_builds_with_a_composite_grain(built: Path):
    proc = run_cli("ask", "monthly sales by product category", cwd=built)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the project's own unique_combination_of_columns, or pef-gx's after `pef-gx init`
    assert re.search(
        r"PASS (unique_combination_of_columns|pef_gx_unique_combination)_monthly_sales_by_product_category_"
        r"date_month__product_category",
        proc.stdout,
    )


def test_generated_sql_that_cannot_run_is_rolled_back(built: Path):
    """A check dbt cannot run (text values for a date column): every file restored byte for byte.
    (Text values for an integer column are now refused before writing: the column's type is read from
    the warehouse.)"""
    before = snapshot(built)
    proc = run_cli("ask", "order_date in stg_orders must be one of a, b", cwd=built)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: dbt could not run the new tests:")
    assert "accepted_values_stg_orders_order_date" in lines[0] and "was restored" in lines[0]
    assert snapshot(built) == before  # suites/ too: a suite it created is gone, one it changed is restored


def test_model_that_cannot_run_is_removed(parsed_ws: Path, tmp_path: Path):
    """Nothing built yet: the new model's source table does not exist, so dbt fails; nothing remains."""
    ws = clone(parsed_ws, tmp_path / "ws")
    before = snapshot(ws)
    proc = run_cli("ask", "daily revenue", cwd=ws)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "error: dbt could not run model daily_revenue" in proc.stderr
    assert "build the models first" in proc.stderr
    assert snapshot(ws) == before
    assert not (ws / "dbt_project/models/generated").exists()


def test_dry_run_prints_and_writes_nothing(parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    before = snapshot(ws)
    proc = run_cli("ask", "a model for daily revenue", "--dry-run", cwd=ws)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "would write (new model SQL): dbt_project/models/generated/daily_revenue.sql" in proc.stdout
    assert "sum(order_amount)" in proc.stdout and "- unique" in proc.stdout
    proc = run_cli(
        "ask", "status of fct_orders must be one of placed, shipped, completed", "--dry-run", cwd=ws
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "+                values: [placed, shipped, completed]" in proc.stdout
    assert "expect_column_values_to_be_in_set" in proc.stdout
    assert snapshot(ws) == before


def test_unknown_names_exit_2_with_did_you_mean(parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    before = snapshot(ws)
    proc = run_cli("ask", "make sure product_id in slaes is never null", cwd=ws)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: no model, seed or source named 'slaes' in dbt project pef_shop (did you mean 'sales'?)"
    )
    proc = run_cli("ask", "please do something nice", cwd=ws)
    assert proc.returncode == 2 and "could not read 'please do something nice'" in proc.stderr
    assert snapshot(ws) == before


def test_unreachable_warehouse_is_one_line_before_anything_is_written(parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    before = snapshot(ws)
    proc = run_cli(
        "ask", "make sure customer_id in fct_orders is never null", "--target", "postgres", cwd=ws,
        env={"DBT_PORT": "5499"},
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:5499")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert snapshot(ws) == before


def test_missing_manifest_is_parsed_first(parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    (ws / "dbt_project/target/manifest.json").unlink()
    proc = run_cli("ask", "ensure order_id in stg_orders is unique", "--no-verify", cwd=ws)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "already tested by unique_stg_orders_order_id" in proc.stdout
    assert (ws / "dbt_project/target/manifest.json").is_file()


def test_help_has_an_example():
    proc = run_cli("ask", "--help")
    assert proc.returncode == 0
    assert 'pef-gx ask "make sure product_id in sales is never null"' in proc.stdout


@pytest.mark.postgres
def test_postgres_model_and_test_requests(pg_env: dict[str, str], parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    project = ws / "dbt_project"
    dbt(project, "seed", "--target", "postgres", "--select", "raw_orders", "raw_order_items", "raw_payments",
        "raw_customers", "raw_products", "country_codes", env=pg_env)  # fmt: skip
    dbt(
        project,
        "run",
        "--target",
        "postgres",
        "--select",
        "+fct_orders",
        "+sales",
        "stg_customers",
        env=pg_env,
    )
    proc = run_cli("ask", "daily revenue", "--target", "postgres", cwd=ws, env=pg_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dbt build: model daily_revenue success" in proc.stdout
    assert "PASS unique_daily_revenue_date_day" in proc.stdout
    proc = run_cli(
        "ask", "make sure customer_id in sales is never null", "--target", "postgres", cwd=ws, env=pg_env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS relationships_sales_customer_id__customer_id__ref_stg_customers_" in proc.stdout
    before = snapshot(ws)
    # the column's type is read from PostgreSQL: text values for an integer column are refused up front
    proc = run_cli(
        "ask", "order_id in stg_orders must be one of a, b", "--target", "postgres", cwd=ws, env=pg_env
    )
    assert proc.returncode == 2 and "stg_orders.order_id is integer but the values" in proc.stderr
    proc = run_cli(
        "ask", "order_date in stg_orders must be one of a, b", "--target", "postgres", cwd=ws, env=pg_env
    )
    assert proc.returncode == 2 and "dbt could not run the new tests" in proc.stderr
    assert snapshot(ws) == before


def test_generate_after_ask_is_a_zero_diff(parsed_ws: Path, tmp_path: Path):
    ws = clone(parsed_ws, tmp_path / "ws")
    assert run_cli("generate", "-q", cwd=ws).returncode == 0
    for request in (
        "order_status in sales is never null",
        "customer_id in fct_orders must exist in stg_customers",
    ):
        proc = run_cli("ask", request, "--no-verify", cwd=ws)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    check = run_cli("generate", "--check", "-q", cwd=ws)
    assert check.returncode == 0, check.stdout
