"""The site's pieces without a browser: verdict words, fitted trend axes, time labels, the lineage layout,
check docs and their overrides, the model page's run-time trend, the index's packed rows."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from pef_gx.reporting.html_base import line_chart
from pef_gx.reporting.site import status as st
from pef_gx.reporting.site.builder import SiteData, compact_rows, index_rows, render_index, render_model
from pef_gx.reporting.site.charts import fitted_range, time_labels
from pef_gx.reporting.site.check_docs import default_docs, doc_for
from pef_gx.reporting.site.lineage import layout
from pef_gx.reporting.site.project import ColumnInfo, NodeDoc, ProjectDocs, suite_for_node
from pef_gx.results.model import CheckResult, DbtNodeRun, ValidationRun


def _check(
    status: str, severity: str = "error", suite: str = "orders", dim: str = "completeness"
) -> CheckResult:
    return CheckResult(
        check_id=f"{suite}-{status}-{severity}",
        suite=suite,
        node_id=f"model.shop.{suite}",
        node_name=suite,
        columns=("id",),
        kind="not_null",
        expectation_type="expect_column_values_to_not_be_null",
        origin_type="dbt_test",
        origin_ref=None,
        dimension=dim,
        severity=severity,
        level="row",
        status=status,
        element_count=100,
        unexpected_count=0 if status == "pass" else 2,
        message="not rebuilt: its parent failed" if status == "stale" else None,
    )


def _run(
    run_id: str, started: str, checks: list[CheckResult], seconds: float = 1.0, target=("duckdb", "dev")
) -> ValidationRun:
    return ValidationRun(
        run_id=run_id, project="shop", target_name=target[1], target_type=target[0], schema="main",
        command="build", started_at=started, finished_at=started, elapsed_s=1.0, checks=checks,
        dbt_nodes=[DbtNodeRun("model.shop.orders", "success", seconds)],
    )  # fmt: skip


def test_five_verdicts_with_their_own_words_and_colours() -> None:
    assert set(st.STATUSES) == {"pass", "warn", "fail", "error", "stale"}
    assert (
        len({s.colour for s in st.STATUSES.values()}) == 5
        and len({s.word for s in st.STATUSES.values()}) == 5
    )
    assert st.worst(["pass", "warn", "pass"]) == "warn"  # only warnings: a warning, not a failure
    assert st.worst(["warn", "stale"]) == "stale" and st.worst(["stale", "fail"]) == "fail"
    assert st.worst(["fail", "error"]) == "error" and st.worst([]) == "pass"


def test_trend_axis_fits_the_data() -> None:
    low, high, _ = fitted_range([99.9, 99.92, 99.95, 99.9, 99.97, 99.91])
    assert 99.5 <= low < 99.9 and 99.97 < high <= 100.0  # not 0..100: six lines at 99.9 stay apart
    assert fitted_range([20.0, 90.0])[0] <= 20.0 and fitted_range([20.0, 90.0])[1] >= 90.0
    svg = line_chart(["a", "b"], [("overall", [99.9, 99.95])])
    ticks = [float(t) for t in re.findall(r'text-anchor="end">([0-9.]+)<', svg)]
    assert min(ticks) >= 99.5 and max(ticks) <= 100.0


def test_time_labels_show_the_hour_when_runs_share_a_day() -> None:
    assert time_labels(["2026-11-29T10:00:00Z", "2026-11-30T10:00:00Z"]) == ["11-29", "11-30"]
    same_day = time_labels(["2026-11-30T09:00:00Z", "2026-11-30T14:30:00Z", "2026-12-01T08:00:00Z"])
    assert same_day == ["11-30 09:00", "11-30 14:30", "12-01 08:00"] and len(set(same_day)) == 3


def test_lineage_layout_is_layered_left_to_right() -> None:
    parents = {"c": ["a", "b"], "b": ["a"], "d": ["c"]}
    graph = layout(["a", "b", "c", "d"], parents, lambda n: (n, "model", "pass", None, n), focus="c")
    x = {n.node_id: n.x for n in graph.nodes}
    assert x["a"] < x["b"] < x["c"] < x["d"]
    assert len(graph.edges) == 4 and [n.node_id for n in graph.nodes if n.focus] == ["c"]


def test_check_docs_defaults_and_overrides() -> None:
    from pef_gx.checks.catalog import KINDS

    assert set(default_docs()) == set(KINDS)
    for doc in default_docs().values():
        assert doc.purpose and doc.passing and doc.failures and doc.remediation
    assert (
        doc_for("unique", description="Order ids are unique per day.").purpose
        == "Order ids are unique per day."
    )
    own = doc_for("unique", {"remediation": "Ask the order team.", "failures": ["Replayed events."]})
    assert own.remediation == ("Ask the order team.",) and own.failures == ("Replayed events.",)
    assert own.purpose == default_docs()["unique"].purpose


def _docs() -> ProjectDocs:
    docs = ProjectDocs()
    docs.nodes["seed.shop.raw_orders"] = NodeDoc(
        "seed.shop.raw_orders", "seed", "raw_orders", relation="main.raw_orders", suite="seed__raw_orders"
    )
    docs.nodes["source.shop.erp.raw_orders"] = NodeDoc(
        "source.shop.erp.raw_orders", "source", "raw_orders", relation="main.raw_orders", suite="source__erp__raw_orders",
        same_table_as="seed.shop.raw_orders",
    )  # fmt: skip
    docs.nodes["model.shop.orders"] = NodeDoc(
        "model.shop.orders", "model", "orders", description="One row per <order>.", materialized="table",
        owner="data-team", columns=[ColumnInfo("id", "integer", "Order key.")],
        parents=["source.shop.erp.raw_orders"], suite="orders",
    )  # fmt: skip
    docs.nodes["exposure.shop.dashboard"] = NodeDoc(
        "exposure.shop.dashboard", "exposure", "dashboard", parents=["model.shop.orders"]
    )
    docs.children = {
        "source.shop.erp.raw_orders": ["model.shop.orders"],
        "model.shop.orders": ["exposure.shop.dashboard"],
    }
    return docs


def test_model_page_has_everything_and_escapes_names() -> None:
    runs = [
        _run("r1", "2026-11-30T08:00:00+00:00", [_check("pass")], 1.5),
        _run(
            "r2",
            "2026-11-30T14:00:00+00:00",
            [_check("warn", "warn"), _check("stale", dim="timeliness")],
            2.5,
        ),
    ]
    data = SiteData(
        project="shop",
        runs=runs,
        docs=_docs(),
        validation_pages={("orders", "r2"): "validations/orders/r2/t/b.html"},
    )
    page = render_model(_docs().nodes["model.shop.orders"], data, {"model.shop.orders": "stale"})
    assert "One row per &lt;order&gt;." in page  # autoescaped
    for needle in (
        "data-team",
        "table",
        "integer",
        "Order key.",
        'id="gx-validation" href="../validations/orders/r2/t/b.html"',
    ):
        assert needle in page
    assert (
        'data-node="seed.shop.raw_orders"' in page and 'data-kind="source"' in page
    )  # the seed behind the source
    assert 'data-node="exposure.shop.dashboard"' in page  # downstream exposure
    assert "stale: not rebuilt: its parent failed" in page and "◌ stale" in page
    assert "<polyline" in page and "11-30 08:00" in page  # run-time trend, hours shown on a shared day
    assert suite_for_node("source.shop.erp.raw_orders") == "source__erp__raw_orders"


def test_index_rows_latest_first_history_behind_and_packed() -> None:
    runs = [
        _run("r1", "2026-11-29T08:00:00+00:00", [_check("fail")], target=("postgres", "ci")),
        _run("r2", "2026-11-30T08:00:00+00:00", [_check("pass"), _check("warn", "warn")]),
    ]
    rows = index_rows(SiteData(project="shop", runs=runs))
    latest = [r for r in rows if r["latest"]]
    assert [(r["run_id"], r["status"], r["engine"]) for r in latest] == [("r2", "warn", "duckdb/dev")]
    assert [r["status"] for r in rows if not r["latest"]] == ["fail"]
    packed = compact_rows(rows)
    assert len(packed["rows"]) == 2 and packed["suites"][0][0] == "orders"
    html = render_index(SiteData(project="shop", runs=runs))
    data = re.search(r'id="pef-rows">(.*?)</script>', html, re.DOTALL)
    assert data and json.loads(data[1]) == json.loads(json.dumps(packed))


def test_index_json_cannot_close_its_script(tmp_path: Path) -> None:
    evil = replace(_check("fail"), suite="x</script><script>alert(1)</script>")
    html = render_index(SiteData(project="shop", runs=[_run("r1", "2026-11-30T08:00:00+00:00", [evil])]))
    assert "</script><script>alert(1)" not in html
