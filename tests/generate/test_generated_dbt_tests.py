"""The dbt tests generated from inference and from hand-written expectations run with `dbt test` and pass
on today's data; after defects are injected, exactly the matching ones fail, in dbt and in GX alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pef_gx.settings import load_settings
from tests.conftest import dbt, run_cli

HAND_WRITTEN = Path(__file__).parent / "data" / "dim_customers.hand_written.json"
OWNED = "config.meta.pef_gx.owned:true"


def _owned_results(project: Path) -> dict[str, str]:
    """check_id -> dbt status of every test pef-gx wrote (from the last dbt run)."""
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    check_ids = {
        uid: node["config"]["meta"]["pef_gx"]["check_id"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and (node["config"].get("meta") or {}).get("pef_gx")
    }
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return {check_ids[r["unique_id"]]: r["status"] for r in results if r["unique_id"] in check_ids}


@pytest.mark.integration
def test_inferred_and_hand_written_dbt_tests_pass_then_catch_defects(built_copy: Path) -> None:
    project = built_copy / "dbt_project"
    assert run_cli("init", cwd=built_copy).returncode == 0
    path = built_copy / "suites" / "dim_customers.json"
    suite = json.loads(path.read_text())
    suite["expectations"] += json.loads(HAND_WRITTEN.read_text())["expectations"]
    path.write_text(json.dumps(suite))
    generated = run_cli("generate", "--infer", "--format", "json", cwd=built_copy)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    report = json.loads(generated.stdout)
    assert report["totals"]["mirrored"] > report["totals"]["gx_only"]

    # today's data: every generated dbt test passes
    dbt(project, "test", "--select", OWNED)
    before = _owned_results(project)
    origins = json.loads((built_copy / "suites" / "dim_customers.json").read_text())["expectations"]
    kinds = {e["meta"]["pef_gx"]["origin"]["type"] for e in origins}
    assert {"inferred", "hand_written", "dbt_test", "constraint"} <= kinds
    assert len(before) > 50 and set(before.values()) == {"pass"}

    # inject defects into built tables
    import duckdb

    conn = duckdb.connect(str(project / "pef_shop.duckdb"))
    conn.execute(
        "update dim_customers set total_orders = 5000 where customer_id = 1"
    )  # range (hand + inferred)
    conn.execute("update dim_customers set country_code = 'zz' where customer_id = 2")  # regex (hand-written)
    conn.execute("update fct_orders set item_count = null where order_id = 10")  # not_null (inferred)
    conn.close()
    failed = dbt(project, "test", "--select", OWNED, check=False)
    assert failed.returncode == 1
    after = _owned_results(project)
    dbt_failing = {cid for cid, status in after.items() if status != "pass"}
    assert 3 <= len(dbt_failing) < len(after) / 4  # the matching tests, not everything

    # GX, on the same data, fails exactly the same checks
    from pef_gx.runner.checkpoint import run_checkpoint

    run = run_checkpoint(load_settings({}, cwd=built_copy), build_docs=False, write=False)
    gx_status = {c.check_id: c.status for c in run.checks if c.origin_type in ("inferred", "hand_written")}
    gx_failing = {cid for cid in after if gx_status.get(cid, "pass") != "pass"}
    assert gx_failing == dbt_failing
    failing_kinds = {(c.kind, c.columns) for c in run.checks if c.check_id in dbt_failing}
    assert ("accepted_range", ("total_orders",)) in failing_kinds
    assert ("match_regex", ("country_code",)) in failing_kinds
    assert ("not_null", ("item_count",)) in failing_kinds
