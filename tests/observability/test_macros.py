"""The framework's dbt macros, run by dbt itself in a copy of the sample project, on DuckDB and PostgreSQL.

log_pipeline_start / log_pipeline_end (the project's on-run-start / on-run-end hooks),
check_data_volume_anomaly (as a singular test and with run-operation), generate_pipeline_health_dashboard,
generate_quality_report, create_alert_conditions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import copy_sample_project, drop_schema, require_postgres

pytestmark = pytest.mark.integration
DBT = str(Path(sys.executable).parent / "dbt")
VOLUME_TEST = """-- fails when the latest day of fct_orders is {pct}% off the week before
{{{{ check_data_volume_anomaly(ref('fct_orders'), 'order_date', threshold_pct={pct}) }}}}
"""


def _dbt(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DBT, *args, "--profiles-dir", str(project), "--project-dir", str(project)],
        cwd=project,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


class Warehouse:
    def __init__(self, project: Path, target: str, schema: str) -> None:
        self.project, self.target, self.schema = project, target, schema

    def query(self, sql: str) -> list[tuple]:
        sql = sql.replace("{s}", f'"{self.schema}"')
        if self.target == "duckdb":
            import duckdb

            conn = duckdb.connect(str(self.project / "pef_shop.duckdb"), read_only=True)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    target = request.param
    if target == "postgres":
        require_postgres()
    schema = "main" if target == "duckdb" else f"pef_macro_{uuid.uuid4().hex[:8]}"
    project = copy_sample_project(tmp_path_factory.mktemp(f"macros_{target}") / "dbt_project")
    (project / "tests" / "volume_ok.sql").write_text(VOLUME_TEST.format(pct=500))
    env = {"DBT_SCHEMA": schema, "DBT_TARGET": target}
    outputs = {"first": _dbt(project, env, "build", "--target", target)}
    # Second invocation: stg_products broken, volume test tightened: a model failure and a failing test.
    stg = project / "models" / "staging" / "stg_products.sql"
    good = stg.read_text()
    stg.write_text(good.replace("\nselect\n", "\nselec\n"))
    (project / "tests" / "volume_tight.sql").write_text(VOLUME_TEST.format(pct=10))
    outputs["second"] = _dbt(
        project, env, "build", "--target", target, "--select", "stg_products", "volume_tight"
    )
    stg.write_text(good)
    for op in ("generate_pipeline_health_dashboard", "generate_quality_report", "create_alert_conditions"):
        outputs[op] = _dbt(project, env, "run-operation", op, "--target", target)
    outputs["volume_op"] = _dbt(
        project,
        env,
        "run-operation",
        "check_data_volume_anomaly",
        "--target",
        target,
        "--args",
        "{model: fct_orders, date_column: order_date, threshold_pct: 50}",
    )
    outputs["volume_op_ok"] = _dbt(
        project,
        env,
        "run-operation",
        "check_data_volume_anomaly",
        "--target",
        target,
        "--args",
        "{model: fct_orders, date_column: order_date, threshold_pct: 90}",
    )
    yield Warehouse(project, target, schema), outputs
    if target == "postgres":
        drop_schema(schema)


def test_log_pipeline_start_and_end_write_the_audit_trail(built) -> None:
    wh, out = built
    assert out["first"].returncode == 0, out["first"].stdout[-3000:]
    assert out["second"].returncode == 1
    runs = wh.query(
        "select pipeline_name, status, nodes_total, nodes_error, nodes_warn, finished_at is not null"
        " from {s}.pef_gx_pipeline_runs order by started_at"
    )
    # dbt's TOTAL counts the on-run-start/end hooks too; the audit row counts the nodes
    total = int(re.search(r"TOTAL=(\d+)", out["first"].stdout).group(1)) - 2
    assert runs[0] == ("pef_shop", "warn", total, 0, 8, True)
    assert runs[1][:2] == ("pef_shop", "error") and runs[1][3:] == (2, 0, True)
    nodes = dict(wh.query("select status, count(*) from {s}.pef_gx_node_results group by status"))
    assert nodes["warn"] == 8 and nodes["error"] == 1 and nodes["fail"] == 1


def test_check_data_volume_anomaly(built) -> None:
    _wh, out = built
    # as a singular test: 500 % passes, 10 % fails (the last day has 4 orders against 9 a day before)
    first = {line for line in out["first"].stdout.splitlines() if "volume_ok" in line}
    assert any("PASS" in line for line in first)
    assert "FAIL 1 volume_tight" in out["second"].stdout
    # with run-operation: logs the verdict, fails the command on an anomaly
    assert out["volume_op"].returncode == 1
    assert "volume fct_orders 2024-12-31: 4 rows vs 9" in out["volume_op"].stdout
    assert "ANOMALY" in out["volume_op"].stdout and "volume anomaly in fct_orders" in out["volume_op"].stdout
    assert out["volume_op_ok"].returncode == 0 and "threshold 90 %: ok" in out["volume_op_ok"].stdout


def test_generate_pipeline_health_dashboard(built) -> None:
    wh, out = built
    result = out["generate_pipeline_health_dashboard"]
    assert result.returncode == 0, result.stdout[-2000:]
    assert "pipeline health" in result.stdout and "slowest models" in result.stdout
    (row,) = wh.query(
        "select pipeline_name, runs, succeeded, failed, success_pct from {s}.pef_gx_pipeline_health"
    )
    assert row[:4] == ("pef_shop", 2, 1, 1) and float(row[4]) == 50.0
    (stg,) = wh.query(
        "select executions, failures from {s}.pef_gx_model_health"
        " where unique_id = 'model.pef_shop.stg_products'"
    )
    assert stg == (2, 1)


def test_generate_quality_report(built) -> None:
    wh, out = built
    result = out["generate_quality_report"]
    assert result.returncode == 0, result.stdout[-2000:]
    assert "tests | passing | warning | failing" in result.stdout
    rows = dict(wh.query("select unique_id, last_status from {s}.pef_gx_quality_report"))
    assert rows["test.pef_shop.volume_tight"] == "fail" and rows["test.pef_shop.volume_ok"] == "pass"
    assert sum(1 for status in rows.values() if status == "warn") == 8


def test_create_alert_conditions(built) -> None:
    wh, out = built
    result = out["create_alert_conditions"]
    assert result.returncode == 0, result.stdout[-2000:]
    assert "2 alert condition(s)" in result.stdout
    rows = set(wh.query("select condition_name, unique_id from {s}.pef_gx_alert_conditions"))
    assert rows == {
        ("model_failure", "model.pef_shop.stg_products"),
        ("check_failure", "test.pef_shop.volume_tight"),
    }
