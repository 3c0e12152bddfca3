"""Proof: for every check present in both forms, GX's verdict equals dbt's on the same data, planted
defects included, on DuckDB and on PostgreSQL: the project's own dbt tests, source freshness, and the
dbt tests pef-gx generated from inferred checks (matched by check_id).

dbt: the statuses of one `dbt build` (run_results.json) and of `dbt source freshness` (sources.json).
GX: `pef_gx.runner.checkpoint.run_checkpoint` over the suites `pef-gx generate` wrote from that manifest.
A dbt test is pass / warn / fail; the GX check of the same test must have the same status. Source
freshness is one dbt verdict and two GX checks (warn_after, error_after): the worse of the two must match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pef_gx.settings import load_settings
from tests.conftest import PLANTED, dbt, run_cli

_FRESHNESS = {"pass": "pass", "warn": "warn", "error": "fail", "runtime error": "error"}


def _compare(ws: Path, target: str | None) -> None:
    project = ws / "dbt_project"
    args = ["--target", target] if target else []
    dbt(project, "source", "freshness", *args, check=False)  # exit 1 when a source warns
    generated = run_cli("generate", *args, cwd=ws)
    assert generated.returncode == 0, generated.stdout + generated.stderr

    from pef_gx.runner.checkpoint import run_checkpoint

    settings = load_settings({"target": target}, cwd=ws)
    run = run_checkpoint(settings, build_docs=False, write=False)

    dbt_status = {
        r["unique_id"]: r["status"]
        for r in json.loads((project / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("test.")
    }
    freshness = {
        r["unique_id"]: _FRESHNESS.get(r["status"], r["status"])
        for r in json.loads((project / "target" / "sources.json").read_text())["results"]
    }
    # dbt tests pef-gx wrote (inferred checks) name their GX check by check_id
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    owned = {
        uid: node["config"]["meta"]["pef_gx"]["check_id"]
        for uid, node in manifest["nodes"].items()
        if uid in dbt_status and ((node["config"].get("meta") or {}).get("pef_gx") or {}).get("owned")
    }
    by_check_id = {c.check_id: c for c in run.checks}
    compared: dict[str, tuple[str, str]] = {
        uid: (dbt_status[uid], by_check_id[cid].status) for uid, cid in owned.items()
    }
    assert len(owned) > 50  # the sample's inferred checks are compared too
    fresh_gx: dict[str, list[str]] = {}
    for check in run.checks:
        if check.origin_type == "dbt_test":
            compared[check.origin_ref] = (dbt_status[check.origin_ref], check.status)
        elif check.origin_type == "freshness":
            fresh_gx.setdefault(check.node_id, []).append(check.status)
    order = ["pass", "warn", "fail", "error"]
    for node_id, statuses in fresh_gx.items():
        compared[node_id] = (freshness[node_id], max(statuses, key=order.index))

    # every dbt test of the project is mirrored and compared (none silently dropped)
    assert set(dbt_status) <= set(compared), sorted(set(dbt_status) - set(compared))
    mismatches = {ref: pair for ref, pair in compared.items() if pair[0] != pair[1]}
    assert not mismatches, mismatches
    warned = {
        ref.split(".")[2]
        for ref, (status, _) in compared.items()
        if status == "warn" and ref.startswith("test.")
    }
    assert warned == PLANTED  # the planted defects are among the compared verdicts
    assert compared["source.pef_shop.shop.raw_orders"] == ("warn", "warn")


@pytest.mark.integration
def test_gx_verdict_equals_dbt_verdict_on_duckdb(built_copy: Path) -> None:
    _compare(built_copy, None)


@pytest.mark.integration
@pytest.mark.postgres
def test_gx_verdict_equals_dbt_verdict_on_postgres(pg_env: dict[str, str], tmp_path: Path) -> None:
    from tests.generate.conftest import new_workspace

    ws = new_workspace(tmp_path / "ws")
    dbt(ws / "dbt_project", "build", "--target", "postgres")
    _compare(ws, "postgres")
