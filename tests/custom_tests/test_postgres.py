"""The custom tests on PostgreSQL: one `pef-gx build` with a model that sleeps (pg_sleep) past its
build-time limit, a query-time test that sleeps past its limit and a lookup within it, the sample's
score test passing; then a planted defect fails the score test (exit 1), and warns when it is a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_workspace, run_cli
from tests.custom_tests.helpers import (
    add_slow_model,
    add_slow_query,
    custom_results,
    generate,
    latest,
    set_suite_severity,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_custom_tests_on_postgres(pg_env: dict[str, str], tmp_path: Path) -> None:
    env = {"PEF_GX_TARGET": "postgres"}
    ws = copy_workspace(tmp_path / "ws")
    add_slow_model(ws, "select 1 as id from (select pg_sleep(1.0)) as s", error_after=0.5)
    add_slow_query(ws, "select pg_sleep(0.05), count(*) from {{ this }}", max_ms=20)
    generate(ws, "--parse")
    result = run_cli("build", cwd=ws, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    found = custom_results(ws)
    assert latest(ws)["target_type"] == "postgres"
    assert found[("quality_score", "fct_orders", "overall")]["status"] == "pass"
    assert found[("quality_score", "fct_orders", "completeness")]["status"] == "pass"
    slow = found[("build_time", "slow_model", "performance")]
    assert slow["status"] == "fail" and slow["observed"] >= 1.0, slow
    lookup = found[("query_time", "dim_customers", "lookup_by_customer")]
    assert lookup["status"] == "pass" and lookup["observed"] <= 500, lookup
    sleepy = found[("query_time", "dim_customers", "full_scan")]
    assert sleepy["status"] == "warn" and sleepy["observed"] >= 50, sleepy  # median of 3 sleeps of 50 ms
    failing = [
        c for c in latest(ws)["checks"] if c["status"] in ("fail", "error") and c["severity"] == "error"
    ]
    assert [c["kind"] for c in failing] == ["build_time"]

    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    with conn, conn.cursor() as cur:
        cur.execute(
            f'update "{pg_env["DBT_SCHEMA"]}".fct_orders set customer_id = null where order_id % 10 < 3'
        )
    conn.close()
    set_suite_severity(ws, "fct_orders", "not_null", "warn", columns=["customer_id"])
    result = run_cli("checkpoint", "--select", "fct_orders", cwd=ws, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    completeness = custom_results(ws)[("quality_score", "fct_orders", "completeness")]
    assert completeness["status"] == "fail" and completeness["observed"] < 99, completeness
    set_suite_severity(ws, "fct_orders", "quality_score", "warn", dimension="completeness")
    result = run_cli("checkpoint", "--select", "fct_orders", cwd=ws, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert custom_results(ws)[("quality_score", "fct_orders", "completeness")]["status"] == "warn"
