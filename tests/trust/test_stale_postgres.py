"""Issue 9 on PostgreSQL: a broken staging model; dbt's own error line (with the column and the HINT),
the relations below it reported stale instead of validated on the tables of the previous build."""

from __future__ import annotations

import json

import pytest

from tests.conftest import dbt, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

DOWNSTREAM = {"fct_orders", "sales", "sales_daily", "dim_customers", "customer_lifetime_value"}


def test_a_broken_model_on_postgres_is_reported_stale_with_its_real_error(workspace, pg_env) -> None:
    project = workspace / "dbt_project"
    dbt(project, "seed", "--target", "postgres")
    dbt(project, "run", "--target", "postgres")  # the tables a previous, good build left
    sql = project / "models" / "staging" / "stg_orders.sql"
    sql.write_text(sql.read_text().replace("cast(customer_id as", "cast(customer_idd as"))

    proc = run_cli("build", "--target", "postgres", "--select", "+stg_orders+", cwd=workspace)
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'column "customer_idd" does not exist' in out
    assert "skipped because stg_orders failed: 5 models," in out
    assert "Run `pef-gx explain`" in out

    latest = json.loads((workspace / ".pef-gx" / "results" / "latest.json").read_text())
    assert latest["target_type"] == "postgres"
    reasons = {c["node_name"]: c["message"] for c in latest["checks"] if c["status"] == "stale"}
    assert set(reasons) == {"stg_orders", *DOWNSTREAM}
    assert reasons["stg_orders"] == "not rebuilt: dbt failed on stg_orders"
    assert all(reasons[name] == "not rebuilt: upstream stg_orders failed" for name in DOWNSTREAM)
    validated = {c["node_name"] for c in latest["checks"] if c["status"] != "stale"}
    assert "raw_orders" in validated  # the seed above it was rebuilt and is checked

    score = run_cli("score", cwd=workspace)
    assert "6 models stale" in score.stdout, score.stdout
