"""Generate and the custom tests: meta -> suites (deterministic, updated and removed with the meta),
hand-written expectations of these types kept and reported, the parity report's GX-only reasons, and a
bad declaration refused (exit 2, one line, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_workspace, run_cli, snapshot_tree
from tests.custom_tests.helpers import generate

pytestmark = pytest.mark.integration

HAND_WRITTEN = {
    "type": "expect_query_execution_time_to_be_below",
    "kwargs": {"query": "select * from {batch} where product_id = 7", "max_ms": 100, "repeat": 3,
               "query_name": "product_page"},
}  # fmt: skip


def _types(ws: Path, suite: str) -> list[dict]:
    return json.loads((ws / "suites" / f"{suite}.json").read_text())["expectations"]


def _gx_only(report: dict, node: str) -> list[str]:
    return [m["reason"] for n in report["nodes"] if n["node_id"] == node for m in n["gx_only"]]


def test_round_trip_through_generate(tmp_path: Path) -> None:
    ws = copy_workspace(tmp_path / "ws")
    marts = ws / "dbt_project" / "models" / "marts" / "_marts.yml"
    # a hand-written query-time test in a suite (no meta.pef_gx): kept and reported
    stg_products = ws / "suites" / "stg_products.json"
    suite = json.loads(stg_products.read_text())
    suite["expectations"].append(HAND_WRITTEN)
    stg_products.write_text(json.dumps(suite, indent=2))
    # the meta changes: a tighter query limit, and no build-time limit on sales any more
    text = marts.read_text()
    marts.write_text(
        text.replace("max_ms: 500", "max_ms: 250").replace(
            "          build_time: {warn_after: 30, error_after: 60}   # seconds, from run_results.json\n", ""
        )
    )
    result = generate(ws, "--parse", "--format", "json")
    report = json.loads(result.stdout)
    query = [e for e in _types(ws, "dim_customers") if e["type"] == "expect_query_execution_time_to_be_below"]
    assert [e["kwargs"]["max_ms"] for e in query] == [250.0]
    assert query[0]["meta"]["pef_gx"]["origin"]["type"] == "meta"
    assert not [e for e in _types(ws, "sales") if e["type"] == "expect_model_build_time_to_be_below"]
    kept = [e for e in _types(ws, "stg_products") if e["type"] == HAND_WRITTEN["type"]]
    assert kept[0]["kwargs"] == HAND_WRITTEN["kwargs"]
    assert kept[0]["meta"]["pef_gx"]["origin"]["type"] == "hand_written"
    assert kept[0]["meta"]["pef_gx"]["kind"] == "query_time"
    assert any("cannot time a query" in r for r in _gx_only(report, "model.pef_shop.stg_products"))
    assert any("cannot time a query" in r for r in _gx_only(report, "model.pef_shop.dim_customers"))
    assert sum("quality-score test" in r for r in _gx_only(report, "model.pef_shop.fct_orders")) == 2
    again = generate(ws, "--check")  # deterministic: a second run changes nothing
    assert " 0 file(s) would change" in again.stdout

    # a declaration pef-gx cannot read: one line, exit 2, nothing written
    marts.write_text(marts.read_text().replace("quality_score: {min: 95,", "quality_score: {min: 150,"))
    before = snapshot_tree(ws)
    bad = run_cli("generate", "--parse", cwd=ws)
    assert bad.returncode == 2, bad.stdout + bad.stderr
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert "'min' must be between 0 and 100" in lines[0] and "fct_orders" in lines[0]
    assert "Traceback" not in bad.stderr
    assert snapshot_tree(ws) == before
