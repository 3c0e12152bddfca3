"""The custom tests on DuckDB, end to end: one `pef-gx build` of a workspace with the sample's score test
(fct_orders), a model made slow on purpose (a big cross join) with a build-time limit, and two query-time
tests on dim_customers (a lookup within its limit, a scan over it); then checkpoints after a planted
defect lowers fct_orders' completeness score (error severity: exit 1; warn: exit 0). The build excludes
sales, whose build-time test is then not reported, like dbt's tests of an unselected model."""

from __future__ import annotations

import json
import sqlite3
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

pytestmark = pytest.mark.integration

SLOW_SQL = "select sum(a.range * b.range % 7) as n from range(8000) as a cross join range(8000) as b"
SCAN_SQL = "select count(*) from {{ this }} cross join range(200000) as r"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    ws = copy_workspace(tmp_path_factory.mktemp("custom") / "ws")
    add_slow_model(ws, SLOW_SQL, error_after=0.3)
    add_slow_query(ws, SCAN_SQL, max_ms=5)
    generate(ws, "--parse")
    return ws, run_cli("build", "--exclude", "sales+", cwd=ws)  # sales does not run: its limit is not judged


def test_build_judges_every_custom_test(built: tuple[Path, object]) -> None:
    ws, result = built
    assert result.returncode == 1, result.stdout + result.stderr  # the build-time limit (error) is exceeded
    found = custom_results(ws)
    overall = found[("quality_score", "fct_orders", "overall")]
    assert overall["status"] == "pass" and overall["observed"] >= 95, overall
    assert found[("quality_score", "fct_orders", "completeness")]["status"] == "pass"
    slow = found[("build_time", "slow_model", "performance")]
    assert slow["status"] == "fail" and slow["severity"] == "error" and slow["observed"] > 0.3, slow
    assert "over the error limit" in slow["message"] and "error after 0.3s" in slow["message"]
    # like dbt's own tests, a model outside the selection is not reported (nothing of it was checked)
    assert ("build_time", "sales", "performance") not in found
    lookup = found[("query_time", "dim_customers", "lookup_by_customer")]
    assert lookup["status"] == "pass" and 0 < lookup["observed"] <= 500, lookup
    assert "median" in lookup["message"] and "of 5 runs" in lookup["message"]
    scan = found[("query_time", "dim_customers", "full_scan")]
    assert scan["status"] == "warn" and scan["observed"] > 5, scan  # severity warn: reported, not failing
    assert "limit of 5 ms" in scan["message"] and "of 3 runs" in scan["message"]
    failing = [c for c in json.loads((ws / ".pef-gx/results/latest.json").read_text())["checks"]
               if c["status"] in ("fail", "error") and c["severity"] == "error"]  # fmt: skip
    assert [c["kind"] for c in failing] == ["build_time"]
    out = result.stdout
    assert "quality-score and performance tests" in out
    assert "over the error limit" in out and "lookup_by_customer" in out


def test_scores_list_but_never_count_them(built: tuple[Path, object]) -> None:
    ws, _ = built
    result = run_cli("score", "--format", "json", cwd=ws)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert set(scores["dimensions"]) == {
        "completeness", "uniqueness", "validity", "consistency", "timeliness", "accuracy"
    }  # fmt: skip
    kinds = {c["kind"] for c in scores["checks"]}
    assert {"quality_score", "build_time", "query_time"} <= kinds
    comment = run_cli("score", "--format", "markdown", cwd=ws)
    assert "build_time" in comment.stdout and "slow_model" in comment.stdout


def test_data_docs_and_history_show_them(built: tuple[Path, object]) -> None:
    ws, _ = built
    site = ws / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
    fct = "".join(p.read_text() for p in (site / "fct_orders").rglob("*.html"))
    assert "quality score is at least" in fct  # the site's words (pef_gx.checks.words)
    dim = "".join(p.read_text() for p in (site / "dim_customers").rglob("*.html"))
    assert "lookup_by_customer" in dim and "full_scan" in dim
    slow = "".join(p.read_text() for p in (site / "slow_model").rglob("*.html"))
    assert "builds in time" in slow
    with sqlite3.connect(ws / ".pef-gx" / "history.sqlite") as db:
        rows = dict(
            db.execute(
                "select kind, status from check_runs where kind = 'build_time' and node_name = 'slow_model'"
            )
        )
    assert rows == {"build_time": "fail"}


def test_a_planted_defect_fails_the_score_test(built: tuple[Path, object]) -> None:
    """30 % of fct_orders.customer_id set to NULL: completeness drops below 99 (overall stays above 95).

    The not_null check on that column is made a warning first, so the exit code is the score test's.
    """
    import duckdb

    ws, _ = built
    set_suite_severity(ws, "fct_orders", "not_null", "warn", columns=["customer_id"])
    with duckdb.connect(str(ws / "dbt_project" / "pef_shop.duckdb")) as con:
        con.execute("update main.fct_orders set customer_id = null where order_id % 10 < 3")
    result = run_cli("checkpoint", "--select", "fct_orders", cwd=ws)
    assert result.returncode == 1, result.stdout + result.stderr
    found = custom_results(ws)
    completeness = found[("quality_score", "fct_orders", "completeness")]
    assert completeness["status"] == "fail" and completeness["observed"] < 99, completeness
    assert "below the minimum 99" in completeness["message"]
    failing = [
        c for c in latest(ws)["checks"] if c["status"] in ("fail", "error") and c["severity"] == "error"
    ]
    assert [c["kind"] for c in failing] == ["quality_score"]
    assert found[("quality_score", "fct_orders", "overall")]["status"] == "pass"
    assert ("build_time", "slow_model", "performance") not in found  # not validated in this run

    set_suite_severity(ws, "fct_orders", "quality_score", "warn", dimension="completeness")
    result = run_cli("checkpoint", "--select", "fct_orders", cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    completeness = custom_results(ws)[("quality_score", "fct_orders", "completeness")]
    assert completeness["status"] == "warn" and completeness["severity"] == "warn"
    assert "quality_score (completeness)" in result.stdout and "below the" in result.stdout
