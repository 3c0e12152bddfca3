"""`generate --infer` proposes the checks that catch the usual breakages (issue 12) on the sample project:
a relationship into a sibling model, a row-count bound learned from the run history, and schema checks
(columns, type families). Each passes today, in dbt and in GX, and fails after its defect.

One scenario per backend (DuckDB; PostgreSQL when it answers): build twice (two recorded row counts;
`infer.row_count_min_history: 2` here to keep the test short), generate --infer, build (all new checks
pass), `generate --check` is a zero diff, then three defects at once, on different relations so that
each check fails for its own defect: a payment whose order is not in stg_orders, half of the
customers gone, and a column of sales_daily dropped and another retyped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import copy_workspace, run_cli

pytestmark = pytest.mark.integration

PAYMENTS_TO_ORDERS = """          - relationships:
              arguments:
                to: ref('stg_orders')
                field: order_id
"""


def _prepare(ws: Path) -> None:
    """The workspace without the hand-written payments -> orders test (inference must find it), and
    with a short history requirement."""
    staging = ws / "dbt_project" / "models" / "staging" / "_staging.yml"
    text = staging.read_text()
    head, _, tail = text.partition("  - name: stg_payments")
    assert PAYMENTS_TO_ORDERS in tail
    staging.write_text(head + "  - name: stg_payments" + tail.replace(PAYMENTS_TO_ORDERS, "", 1))
    config = ws / "pef-gx.yml"
    config.write_text(config.read_text() + "\ninfer:\n  row_count_min_history: 2\n")
    assert run_cli("init", cwd=ws).returncode == 0  # the generic tests, new ones included


def _build(ws: Path, env: Mapping[str, str], *extra: str) -> dict:
    proc = run_cli("build", "-q", *extra, cwd=ws, env=dict(env))
    results = sorted((ws / ".pef-gx" / "results").glob("*.json"))
    assert results, proc.stdout + proc.stderr
    return {
        "rc": proc.returncode,
        "out": proc.stdout + proc.stderr,
        "run": json.loads(results[-1].read_text()),
    }


def _suite_checks(ws: Path) -> list[dict]:
    out = []
    for path in (ws / "suites").glob("*.json"):
        for e in json.loads(path.read_text())["expectations"]:
            out.append(e["meta"]["pef_gx"])
    return out


def _dbt_status(ws: Path) -> dict[str, str]:
    """check_id -> dbt status of every test pef-gx wrote (last dbt run)."""
    project = ws / "dbt_project"
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    ids = {
        uid: node["config"]["meta"]["pef_gx"]["check_id"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and (node["config"].get("meta") or {}).get("pef_gx")
    }
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return {ids[r["unique_id"]]: r["status"] for r in results if r["unique_id"] in ids}


def _inject(ws: Path) -> None:
    project = ws / "dbt_project"
    payments = project / "seeds" / "raw_payments.csv"
    with payments.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows.append([str(max(int(r[0]) for r in rows[1:]) + 1), "999999", "credit_card", "10.00"])
    with payments.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    items = project / "seeds" / "raw_customers.csv"
    lines = items.read_text().splitlines(keepends=True)
    items.write_text("".join(lines[:1] + [line for i, line in enumerate(lines[1:]) if i % 2 == 0]))
    daily = project / "models" / "marts" / "sales_daily.sql"
    text = daily.read_text()
    text = text.replace("    cast(sum(quantity) as integer) as items,\n", "")
    text = text.replace(
        "cast(sum(amount) as numeric(18, 2)) as revenue", "cast(sum(amount) as varchar) as revenue"
    )
    daily.write_text(text)


def _scenario(ws: Path, env: Mapping[str, str]) -> None:
    _prepare(ws)
    first = _build(ws, env)
    assert first["rc"] == 0, first["out"][-3000:]
    assert _build(ws, env)["rc"] == 0

    generated = run_cli("generate", "--infer", cwd=ws, env=dict(env))
    assert generated.returncode == 0, generated.stdout + generated.stderr
    checks = _suite_checks(ws)
    sibling = [
        c for c in checks
        if c["kind"] == "relationships" and c["node_id"] == "model.pef_shop.stg_payments"
        and c["params"] == {"to": "model.pef_shop.stg_orders", "field": "order_id"}
    ]  # fmt: skip
    assert sibling and sibling[0]["origin"]["type"] == "inferred"
    row_count = {c["node_id"]: c for c in checks if c["kind"] == "row_count_between"}
    assert "seed.pef_shop.raw_customers" in row_count
    assert "max_value" not in row_count["seed.pef_shop.raw_customers"]["params"]
    columns = {c["node_id"]: c for c in checks if c["kind"] == "table_columns"}
    assert columns["model.pef_shop.sales_daily"]["params"]["columns"] == [
        "order_date",
        "orders",
        "items",
        "revenue",
    ]
    types = {
        (c["node_id"], c["columns"][0]): c["params"]["family"] for c in checks if c["kind"] == "column_type"
    }
    assert types[("model.pef_shop.sales_daily", "revenue")] == "numeric"
    assert types[("model.pef_shop.sales_daily", "order_date")] == "date"
    new = {
        "sibling": sibling[0]["check_id"],
        "row_count": row_count["seed.pef_shop.raw_customers"]["check_id"],
        "columns": columns["model.pef_shop.sales_daily"]["check_id"],
        "type": next(
            c["check_id"] for c in checks
            if c["kind"] == "column_type" and c["node_id"] == "model.pef_shop.sales_daily" and c["columns"] == ["revenue"]
        ),
    }  # fmt: skip

    # today: every check of these kinds passes, in GX and in dbt
    today = _build(ws, env)
    assert today["rc"] == 0, today["out"][-3000:]
    gx = {c["check_id"]: c["status"] for c in today["run"]["checks"]}
    dbt_today = _dbt_status(ws)
    for check_id in new.values():
        assert gx[check_id] == "pass" and dbt_today[check_id] == "pass"
    kinds = ("relationships", "row_count_between", "table_columns", "column_type")
    inferred = [c for c in checks if c["kind"] in kinds and c["origin"]["type"] == "inferred"]
    assert len(inferred) > 50
    assert all(gx[c["check_id"]] == "pass" for c in inferred)
    assert all(dbt_today[c["check_id"]] == "pass" for c in inferred if c["check_id"] in dbt_today)

    check = run_cli("generate", "--check", cwd=ws, env=dict(env))
    assert check.returncode == 0, check.stdout + check.stderr

    # the defects: each new check fails, in GX and in dbt
    _inject(ws)
    broken = _build(ws, env)
    assert broken["rc"] == 1
    gx = {c["check_id"]: c["status"] for c in broken["run"]["checks"]}
    dbt_broken = _dbt_status(ws)
    for name, check_id in new.items():
        assert gx[check_id] == "fail", name
        assert dbt_broken[check_id] == "fail", name


def test_breakage_checks_duckdb(tmp_path: Path) -> None:
    _scenario(copy_workspace(tmp_path / "ws"), {})


def test_breakage_checks_postgres(tmp_path: Path, pg_env: dict[str, str]) -> None:
    _scenario(copy_workspace(tmp_path / "ws"), {"PEF_GX_TARGET": "postgres", **pg_env})
