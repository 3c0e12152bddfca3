"""The scoring formula: per check, per dimension, overall, per model; coverage; weights."""

from __future__ import annotations

import json

import pytest

from pef_gx.artifacts.manifest import read_manifest
from pef_gx.errors import ConfigError
from pef_gx.scoring import ScoringConfig, check_score, score_run
from pef_gx.scoring.threshold import below
from pef_gx.scoring.universe import build_universe
from tests.scoring.factory import check, run, shop_checks


def test_row_level_check_scores_share_of_expected_rows():
    assert check_score(check("m", "not_null", ("a",), status="fail", evaluated=200, unexpected=50)) == 0.75
    assert check_score(check("m", "not_null", ("a",), status="pass", evaluated=200, unexpected=0)) == 1.0


def test_table_level_check_scores_one_or_zero():
    assert check_score(check("m", "row_count", level="table", status="pass")) == 1.0
    assert check_score(check("m", "row_count", level="table", status="fail")) == 0.0
    assert check_score(check("m", "row_count", level="table", status="warn", severity="warn")) == 0.0


def test_error_status_scores_zero_even_with_counts():
    assert check_score(check("m", "not_null", ("a",), status="error", evaluated=100, unexpected=0)) == 0.0


def test_failing_row_check_without_counts_or_without_unexpected_rows_scores_zero():
    assert check_score(check("m", "not_null", ("a",), status="fail", evaluated=None, unexpected=None)) == 0.0
    assert check_score(check("m", "not_null", ("a",), status="fail", evaluated=0, unexpected=0)) == 0.0
    assert check_score(check("m", "mostly", ("a",), status="fail", evaluated=100, unexpected=0)) == 0.0


def test_dimension_is_severity_weighted_mean_and_overall_mean_of_measured_dimensions():
    checks = [
        check("m", "not_null", ("a",), "completeness", status="fail", evaluated=100, unexpected=100),  # 0, w2
        check("m", "not_null", ("b",), "completeness", status="pass", severity="warn"),  # 1, w1
        check("m", "unique", ("a",), "uniqueness"),  # 1
    ]
    report = score_run(run(checks))
    assert report.dimensions["completeness"].score == pytest.approx(100 / 3)
    assert report.dimensions["uniqueness"].score == 100.0
    assert report.dimensions["timeliness"].score is None
    assert report.overall == pytest.approx((100 / 3 + 100) / 2)


def test_severity_and_dimension_weights_are_configurable():
    checks = [
        check("m", "not_null", ("a",), "completeness", status="fail", evaluated=10, unexpected=10),
        check("m", "not_null", ("b",), "completeness", severity="warn"),
        check("m", "unique", ("a",), "uniqueness"),
    ]
    config = ScoringConfig.from_section(
        {"severity_weights": {"error": 1, "warn": 1}, "dimension_weights": {"uniqueness": 3}}
    )
    report = score_run(run(checks), config=config)
    assert report.dimensions["completeness"].score == pytest.approx(50.0)
    assert report.overall == pytest.approx((50 + 3 * 100) / 4)
    assert report.weights["severity_weights"] == {"error": 1.0, "warn": 1.0}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"severity_weight": {}}, "did you mean 'severity_weights'"),
        ({"dimension_weights": {"timelines": 2}}, "did you mean 'timeliness'"),
        ({"severity_weights": {"error": 0}}, "must be a number > 0"),
        ({"severity_weights": [1, 2]}, "must be a mapping"),
    ],
)
def test_bad_scoring_section_is_a_config_error(section, message):
    with pytest.raises(ConfigError, match=message):
        ScoringConfig.from_section(section)


def test_unmeasured_dimension_reports_no_score_and_zero_coverage():
    report = score_run(run(shop_checks()))
    timeliness = report.dimensions["timeliness"]
    assert timeliness.score is None and timeliness.checks == 0
    assert timeliness.coverage.models_covered == 0
    assert report.to_dict()["dimensions"]["timeliness"]["score"] is None


def test_coverage_counts_models_and_columns_with_a_check_in_the_dimension():
    report = score_run(run(shop_checks()))
    completeness = report.dimensions["completeness"].coverage
    # universe from the results alone: 5 models; columns named by any check: 8
    assert (completeness.models_covered, completeness.models_total) == (2, 5)
    assert (completeness.columns_covered, completeness.columns_total) == (3, 8)
    assert report.universe == {"source": "results", "models": 5, "columns": 8}


def _node(
    unique_id: str, resource_type: str = "model", columns=(), relation: str | None = "db.main.x", **extra
):
    return {
        "unique_id": unique_id,
        "resource_type": resource_type,
        "name": unique_id.split(".")[-1],
        "relation_name": relation,
        "columns": {c: {"name": c} for c in columns},
        **extra,
    }


def test_manifest_widens_the_universe_and_skips_ephemeral_and_disabled_nodes(tmp_path):
    nodes = [
        _node("model.pef_shop.stg_customers", columns=("customer_id", "email", "name")),
        _node("model.pef_shop.unchecked", columns=("x",)),
        _node("model.pef_shop.eph", relation=None),  # ephemeral: no relation
        _node("test.pef_shop.not_null_x", "test"),
    ]
    data = {
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
            "project_name": "pef_shop",
        },
        "nodes": {n["unique_id"]: n for n in nodes},
        "sources": {
            "source.pef_shop.shop.raw": _node("source.pef_shop.shop.raw", "source", source_name="shop")
        },
        "disabled": {"model.pef_shop.off": [_node("model.pef_shop.off")]},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    manifest = read_manifest(path)
    universe = build_universe(shop_checks(), manifest)
    assert "model.pef_shop.unchecked" in universe.nodes
    assert "model.pef_shop.eph" not in universe.nodes and "model.pef_shop.off" not in universe.nodes
    assert universe.names["source.pef_shop.shop.raw"] == "shop.raw"
    assert universe.nodes["model.pef_shop.stg_customers"] >= {"customer_id", "email", "name", "updated_at"}
    report = score_run(run(shop_checks()), manifest)
    assert report.coverage.models_total == 7
    assert report.universe["source"] == "results+manifest"
    unchecked = next(m for m in report.models if m.name == "unchecked")
    assert unchecked.score is None and report.models[-1].score is None  # unmeasured last


def test_models_sorted_worst_first_with_their_own_dimension_scores():
    report = score_run(run(shop_checks()))
    assert report.models[0].name == "fct_orders"
    assert report.models[0].score == pytest.approx(50.0)
    assert report.models[0].dimensions == {"completeness": 100.0, "consistency": 0.0}
    scores = [m.score for m in report.models]
    assert scores == sorted(scores)


def test_unknown_dimension_is_scored_after_the_six_known_ones():
    report = score_run(run([check("m", "custom", ("a",), "freshness_sla")]))
    assert list(report.dimensions)[-1] == "freshness_sla"
    assert report.dimensions["freshness_sla"].score == 100.0


def test_fail_under():
    report = score_run(run(shop_checks()))
    assert not below(report, None)
    assert below(report, 90)
    assert not below(report, 80)
    assert below(score_run(run([])), 0)  # nothing measured is below any threshold
    with pytest.raises(ConfigError):
        below(report, 101)


def test_scores_json_round_trips():
    from pef_gx.scoring import ScoreReport

    report = score_run(run(shop_checks()))
    again = ScoreReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
