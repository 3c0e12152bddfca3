"""`pef-gx build` and `pef-gx checkpoint` record their runs: dbt nodes, GX checks, scores, volumes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.integration


def test_build_then_checkpoint_are_both_recorded(workspace: Path) -> None:
    suites = workspace / "suites"
    for path in suites.glob("*.json") if suites.is_dir() else ():
        path.unlink()
    build = run_cli("build", "--quiet", cwd=workspace)
    assert build.returncode == 0, build.stdout + build.stderr
    run_results = json.loads((workspace / "dbt_project" / "target" / "run_results.json").read_text())
    built_nodes = len(run_results["results"])  # every node of the sample, the two audit hooks included
    generate = run_cli("generate", "--select", "stg_orders", "--quiet", cwd=workspace)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    checkpoint = run_cli("checkpoint", "--select", "stg_orders", "--quiet", "--no-docs", cwd=workspace)
    assert checkpoint.returncode in (0, 1), checkpoint.stdout + checkpoint.stderr

    conn = sqlite3.connect(workspace / ".pef-gx" / "history.sqlite")
    runs = conn.execute("select run_id, command, score from runs order by started_at").fetchall()
    assert [r[1] for r in runs] == ["build", "checkpoint"]
    build_id, checkpoint_id = runs[0][0], runs[1][0]
    assert runs[1][2] is not None  # the checkpoint run has checks, hence a score
    nodes = conn.execute("select count(*), sum(status = 'warn') from node_runs where run_id = ?", (build_id,))
    assert nodes.fetchone() == (built_nodes, 8)  # the 8 planted defects warn
    checks = conn.execute("select count(*) from check_runs where run_id = ?", (checkpoint_id,)).fetchone()[0]
    assert checks > 0
    rows = dict(
        conn.execute("select node_id, value from metrics where run_id = ? and metric = 'rows'", (build_id,))
    )
    assert rows["model.pef_shop.stg_orders"] == 2000 and rows["model.pef_shop.dim_customers"] == 500
    lag, detail = conn.execute(
        "select value, detail from metrics where run_id = ? and metric = 'lag_hours'"
        " and node_id = 'model.pef_shop.stg_orders'",
        (build_id,),
    ).fetchone()
    assert json.loads(detail)["max_timestamp"].startswith("2025-01-01 23:35:09")
    assert json.loads(detail)["timestamp_column"] == "loaded_at"
    assert lag > 24 * 300  # the sample's latest _loaded_at is 2025-01-01
    source_lag = conn.execute(
        "select value from metrics where run_id = ? and metric = 'lag_hours'"
        " and node_id = 'source.pef_shop.shop.raw_orders'",
        (build_id,),
    ).fetchone()[0]
    assert source_lag == pytest.approx(lag, abs=1)  # the source's loaded_at_field, like dbt source freshness
    conn.close()
    assert ".pef-gx/" in (Path(__file__).resolve().parents[2] / ".gitignore").read_text()

    health = json.loads(run_cli("health", "--format", "json", cwd=workspace).stdout)
    assert health["runs"] == 2 and {r["command"] for r in health["recent_runs"]} == {"build", "checkpoint"}
