"""Issue 9 on DuckDB, with real dbt and GX: the reproductions of points 1-3 and the standalone checkpoint.

One workspace for the module: seeds and models built once by dbt (the "previous build"), then
stg_orders broken (`customer_id` -> `customer_idd`). Every later step runs on that broken project.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import copy_workspace, dbt, run_cli

pytestmark = pytest.mark.integration

STALE = {"stg_orders", "fct_orders", "sales", "sales_daily", "dim_customers", "customer_lifetime_value"}


def _latest(ws: Path) -> dict:
    return json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())


def _history(ws: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(ws / ".pef-gx" / "history.sqlite") as conn:
        return conn.execute("select run_id, command, status from runs order by started_at").fetchall()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = copy_workspace(tmp_path_factory.mktemp("trust") / "ws")
    project = ws / "dbt_project"
    dbt(project, "seed")
    dbt(project, "run")  # the tables a previous, good build left
    sql = project / "models" / "staging" / "stg_orders.sql"
    sql.write_text(sql.read_text().replace("cast(customer_id as", "cast(customer_idd as"))
    return ws


@pytest.fixture(scope="module")
def failed_build(broken: Path):
    return run_cli("build", cwd=broken)


def test_a_broken_model_is_not_validated_on_old_data(broken: Path, failed_build) -> None:
    out = failed_build.stdout
    assert failed_build.returncode == 1, out + failed_build.stderr
    latest = _latest(broken)
    stale = {c["node_name"] for c in latest["checks"] if c["status"] == "stale"}
    assert stale == STALE
    reasons = {c["node_name"]: c["message"] for c in latest["checks"] if c["status"] == "stale"}
    assert reasons["stg_orders"] == "not rebuilt: dbt failed on stg_orders"
    assert reasons["fct_orders"] == "not rebuilt: upstream stg_orders failed"
    assert "6 model(s) stale, not validated" in out
    count = sum(1 for c in latest["checks"] if c["status"] == "stale")
    assert re.search(rf"GX checkpoint on .*\b{count} stale\b", out), out


def test_the_build_summary_shows_the_real_error_groups_skips_and_ends_with_the_next_step(
    failed_build,
) -> None:
    out = failed_build.stdout
    assert 'Referenced column "customer_idd" not found' in " ".join(out.split())
    assert "skipped because stg_orders failed: 5 models," in out
    assert "--verbose lists them" in out
    assert "not_null_sales_order_id" not in out  # skipped tests are counted, not listed
    last = [line for line in out.splitlines() if line.strip()][-2:]
    assert "build failed: dbt failed on stg_orders" in " ".join(last)
    assert "`pef-gx explain`" in " ".join(last)


def test_the_score_history_and_health_say_stale(broken: Path, failed_build) -> None:
    score = run_cli("score", cwd=broken)
    assert "6 models stale" in score.stdout, score.stdout
    assert "stg_orders: not rebuilt: dbt failed on stg_orders" in score.stdout
    markdown = run_cli("score", "--format", "markdown", cwd=broken)
    assert "6 models stale" in markdown.stdout
    assert _history(broken)[-1][2] == "failed"  # dbt failed: the run is recorded as failed, not green
    health = run_cli("health", cwd=broken)
    assert "stale in the latest run (6 model(s)" in health.stdout, health.stdout
    explain = run_cli("explain", cwd=broken)
    assert "stg_orders" in explain.stdout


def test_a_selection_that_matches_nothing_stops_before_dbt_runs(broken: Path, failed_build) -> None:
    before = _latest(broken)["run_id"]
    runs = len(_history(broken))
    proc = run_cli("build", "--select", "stg_custmers", cwd=broken)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--select 'stg_custmers' matches no node" in proc.stderr
    assert "did you mean 'stg_customers'?" in proc.stderr
    assert "Traceback" not in proc.stderr and "dbt build" not in proc.stdout
    proc = run_cli("build", "--select", "stg_customers", "--exclude", "stg_custmers", cwd=broken)
    assert proc.returncode == 2 and "--exclude 'stg_custmers'" in proc.stderr
    assert _latest(broken)["run_id"] == before
    assert len(_history(broken)) == runs


def test_a_selected_build_checks_what_it_selected(broken: Path, failed_build) -> None:
    """`dbt build --select x` tests only x: the checkpoint validates only x; nothing outside is stale."""
    proc = run_cli("build", "--select", "stg_payments", cwd=broken)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    latest = _latest(broken)
    assert {c["node_name"] for c in latest["checks"]} == {"stg_payments"}
    assert not [c for c in latest["checks"] if c["status"] == "stale"]


def test_a_selected_build_of_a_broken_model_validates_nothing_and_keeps_latest(
    broken: Path, failed_build
) -> None:
    before = _latest(broken)["run_id"]
    proc = run_cli("build", "--select", "stg_orders", cwd=broken)
    assert proc.returncode == 1
    assert "nothing validated" in proc.stdout
    assert _latest(broken)["run_id"] == before  # a run that validated nothing does not replace it
    assert _history(broken)[-1][2] == "failed"


def test_a_standalone_checkpoint_after_someone_elses_failed_dbt_build(broken: Path, failed_build) -> None:
    project = broken / "dbt_project"
    proc = dbt(project, "build", check=False)
    assert proc.returncode == 1
    checkpoint = run_cli("checkpoint", "--no-docs", cwd=broken)
    assert checkpoint.returncode == 0, checkpoint.stdout + checkpoint.stderr
    latest = _latest(broken)
    assert latest["command"] == "checkpoint"
    stale = {c["node_name"] for c in latest["checks"] if c["status"] == "stale"}
    assert stale == STALE
    assert "6 model(s) stale, not validated" in checkpoint.stdout
    assert _history(broken)[-1][2] == "failed"  # the dbt invocation it follows failed
    # --include-stale validates them anyway (the old tables are still there)
    forced = run_cli("checkpoint", "--no-docs", "--include-stale", "--select", "fct_orders", cwd=broken)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    statuses = {c["status"] for c in _latest(broken)["checks"]}
    assert "stale" not in statuses and "pass" in statuses
