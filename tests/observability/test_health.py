"""Health over recorded runs: rates and trends, slowest, regressions (with a minimum change), flapping, hints."""

from __future__ import annotations

from pathlib import Path

from pef_gx.observability.config import HealthConfig
from pef_gx.observability.health import compute_health
from pef_gx.observability.history import load_runs, open_store, record_run
from pef_gx.observability.lineage import Lineage, NodeInfo
from tests.observability.helpers import make_run, settings_for

STG = "model.pef_shop.stg_orders"
FCT = "model.pef_shop.fct_orders"
BIG = "model.pef_shop.big_table"
TEST = "test.pef_shop.unique_stg_orders_order_id.1"


def _runs(tmp_path: Path, specs: list[dict]) -> list:
    settings = settings_for(tmp_path)
    for i, spec in enumerate(specs):
        record_run(settings, make_run(i, spec.get("nodes"), spec.get("checks"), rows=spec.get("rows")))
    with open_store(settings) as store:
        return load_runs(store)


def test_rates_trends_slowest_and_regressions(tmp_path: Path) -> None:
    specs = []
    for i in range(10):
        stg_status = "error" if i in (6, 8, 9) else "success"
        fct_time = 16.0 if i == 9 else 10.0 + 0.1 * (i % 3)
        stg_time = 0.45 if i == 9 else 0.1  # 4.5x slower but only +0.35 s: noise, not news
        specs.append({"nodes": {STG: (stg_status, stg_time), FCT: ("success", fct_time)}})
    specs[9]["nodes"][STG] = ("success", 0.45)
    report = compute_health(_runs(tmp_path, specs), HealthConfig(regression_min_seconds=1.0))
    assert report.runs == 10
    assert report.overall.failed == 2 and report.overall.trend == "worsening"
    stg = next(m for m in report.models if m.unique_id == STG)
    assert stg.rate.failed == 2 and stg.rate.success_rate == 0.8
    assert report.slowest[0].unique_id == FCT
    assert [r.unique_id for r in report.regressions] == [FCT]
    assert report.regressions[0].baseline_s == 10.1
    assert round(report.regressions[0].delta_s, 6) == 5.9


def test_flapping_checks(tmp_path: Path) -> None:
    pattern = ["pass", "fail", "pass", "pass", "fail", "pass"]
    specs = [
        {"nodes": {STG: ("success", 0.1), TEST: (p, 0.05)}, "checks": {"gx-flaky": p, "gx-steady": "pass"}}
        for p in pattern
    ]
    report = compute_health(_runs(tmp_path, specs), HealthConfig())
    flapping = {f.check: f for f in report.flapping}
    assert set(flapping) == {TEST, "gx-flaky"}
    assert flapping[TEST].flips == 4 and flapping[TEST].history == "PFPPFP"


def test_hints_from_lineage_and_timings(tmp_path: Path) -> None:
    children = [f"model.pef_shop.child_{i}" for i in range(4)]
    nodes = {STG: ("success", 0.2), BIG: ("success", 45.0), **{c: ("success", 2.0) for c in children}}
    runs = _runs(tmp_path, [{"nodes": nodes, "rows": {BIG: 5_000_000}}] * 3)
    lineage = Lineage(
        nodes={
            STG: NodeInfo(STG, "model", "stg_orders", materialized="view"),
            BIG: NodeInfo(BIG, "model", "big_table", materialized="table", full_refresh_every_run=True),
            **{
                c: NodeInfo(c, "model", c.split(".")[-1], materialized="table", full_refresh_every_run=True)
                for c in children
            },
        },
        children={STG: children},
    )
    hints = {(h.kind, h.unique_id): h for h in compute_health(runs, HealthConfig(), lineage).hints}
    assert ("slow_view_many_children", STG) in hints
    assert "read by 4 models taking 8.0s" in hints[("slow_view_many_children", STG)].message
    assert ("large_full_rebuild", BIG) in hints and "5,000,000 rows" in hints[
        ("large_full_rebuild", BIG)
    ].message
    assert ("dominant_model", BIG) in hints
    # a fast view with few children gets no hint
    quiet = compute_health(runs, HealthConfig(view_children_seconds=100), lineage).hints
    assert not any(h.kind == "slow_view_many_children" for h in quiet)


def test_a_manifest_is_read_once_per_version(tmp_path: Path) -> None:
    """A build asks for the lineage twice (history, health page): the second time it is not parsed again,
    but a manifest dbt rewrote is."""
    import json

    from pef_gx.observability.lineage import load_lineage

    def write(parents: dict[str, list[str]]) -> None:
        manifest = {
            "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"},
            "nodes": {}, "sources": {}, "parent_map": parents, "child_map": {},
        }  # fmt: skip
        path.write_text(json.dumps(manifest))

    path = tmp_path / "manifest.json"
    write({"model.p.a": []})
    first = load_lineage(path)
    assert load_lineage(path) is first
    write({"model.p.a": ["model.p.b"]})
    second = load_lineage(path)
    assert second is not first and second.parents == {"model.p.a": ["model.p.b"]}
