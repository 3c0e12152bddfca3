"""The custom tests' pure parts: the declaration, the score verdict, the build-time verdict, scoring."""

from __future__ import annotations

import pytest

from pef_gx.checks import catalog, custom_tests
from pef_gx.checks.spec import OriginType, Severity
from pef_gx.errors import ConfigError
from pef_gx.observability.build_time import judge_build_time, trend_text
from pef_gx.results.model import CheckResult, DbtNodeRun, ValidationRun
from pef_gx.scoring import score_run
from pef_gx.scoring.score_tests import judge_score

NODE = "model.shop.fct_orders"
IDS = {"fct_orders": NODE, "stg_customers": "model.shop.stg_customers", "shop.raw": "source.shop.shop.raw"}


def _parse(declared: dict) -> list:
    return custom_tests.parse_declaration(NODE, {"pef_gx": declared}, IDS.get, "model fct_orders")


def test_a_declaration_becomes_one_spec_per_threshold_and_query() -> None:
    specs = _parse(
        {
            "quality_score": {"min": 95, "dimensions": {"completeness": 99}, "severity": "warn"},
            "build_time": {"warn_after": 30, "error_after": 60},
            "query_time": [
                {"name": "lookup", "sql": "select * from {{ this }} t join {{ ref('stg_customers') }} c "
                 "using (customer_id) join {{ source('shop', 'raw') }} r on true where id = 42;", "max_ms": 200}
            ],
        }
    )  # fmt: skip
    by = {(s.kind, s.dimension): s for s in specs}
    score = by[("quality_score", "overall")]
    assert score.params == {"dimension": "overall", "min": 95.0} and score.severity is Severity.WARN
    assert score.origin.type is OriginType.META
    assert by[("quality_score", "completeness")].params["min"] == 99.0
    build = by[("build_time", "performance")]
    assert build.params == {"warn_after": 30.0, "error_after": 60.0} and build.severity is Severity.ERROR
    query = by[("query_time", "performance")]
    assert query.params["query"] == (
        "select * from {batch} t join {ref:model.shop.stg_customers} c using (customer_id) "
        "join {ref:source.shop.shop.raw} r on true where id = 42"
    )
    assert query.params["repeat"] == custom_tests.DEFAULT_REPEAT and query.severity is Severity.ERROR
    assert _parse({"build_time": {"warn_after": 5}})[0].severity is Severity.WARN
    assert [s.check_id for s in specs] == sorted(s.check_id for s in specs)  # deterministic order


def test_gx_form_round_trips_through_the_catalog() -> None:
    specs = _parse(
        {"quality_score": {"dimensions": {"validity": 90}}, "build_time": {"error_after": 60},
         "query_time": [{"name": "q", "sql": "select 1 from {{ this }}", "max_ms": 5, "repeat": 3}]}
    )  # fmt: skip
    for spec in specs:
        gx_type, kwargs = catalog.gx_expectation(spec)
        assert gx_type == custom_tests.GX_TYPES[spec.kind]
        kind, columns, params = catalog.from_gx(gx_type, kwargs)
        assert (kind, columns, params) == (spec.kind, (), dict(spec.params))
        assert catalog.dbt_test_entry(spec, lambda _: None) is None  # no dbt form: reported GX-only
        assert spec.kind in custom_tests.GX_ONLY_REASONS


@pytest.mark.parametrize(
    ("declared", "words"),
    [
        ({"quality_score": {"min": 101}}, "'min' must be between 0 and 100"),
        ({"quality_score": {"minimum": 90}}, "unknown key 'minimum'"),
        ({"quality_score": {"dimensions": {"completenes": 90}}}, "unknown quality dimension 'completenes'"),
        ({"quality_score": {"min": 90, "severity": "fatal"}}, "severity 'fatal' is not error or warn"),
        ({"quality_score": {}}, "no minimum given"),
        ({"build_time": {"warn_after": 60, "error_after": 30}}, "warn_after is above error_after"),
        ({"build_time": {"error_after": "soon"}}, "'error_after' must be a number"),
        ({"query_time": [{"name": "q", "max_ms": 5}]}, "'sql' is missing"),
        ({"query_time": [{"sql": "select 1", "max_ms": 5}]}, "'name' '' is missing"),
        ({"query_time": [{"name": "q", "sql": "select * from {{ ref('nope') }}", "max_ms": 5}]}, "'nope'"),
        ({"query_time": [{"name": "q", "sql": "{% if x %}select 1{% endif %}", "max_ms": 5}]}, "Jinja"),
        ({"query_time": [{"name": "q", "sql": "select 1", "max_ms": 5, "repeat": 500}]}, "'repeat' must be"),
        ({"query_time": [{"name": "q", "sql": "select 1", "max_ms": 5}] * 2}, "two queries are named 'q'"),
    ],
)
def test_bad_declarations_say_what_and_where(declared: dict, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        _parse(declared)
    assert words in str(info.value) and "model fct_orders" in str(info.value)


def _check(status: str, dimension: str = "completeness", kind: str = "not_null", **extra) -> CheckResult:
    return CheckResult(
        check_id=f"{kind}-{dimension}-{status}-{len(extra)}", suite="fct_orders", node_id=NODE,
        node_name="fct_orders", columns=("c",), kind=kind, expectation_type="x", origin_type="dbt_test",
        origin_ref=None, dimension=dimension, severity="error", level="row", status=status,
        element_count=100, unexpected_count=0 if status == "pass" else 10, **extra,
    )  # fmt: skip


def test_score_verdicts() -> None:
    clean = [_check("pass"), _check("pass", "validity")]
    assert judge_score(clean, "overall", 95, "error", "fct_orders").status == "pass"
    worse = [_check("pass"), _check("fail")]  # completeness 95
    verdict = judge_score(worse, "completeness", 99, "error", "fct_orders")
    assert verdict.status == "fail" and verdict.score == pytest.approx(95.0)
    assert "below the minimum 99" in verdict.message
    assert judge_score(worse, "completeness", 99, "warn", "fct_orders").status == "warn"
    assert judge_score(worse, "completeness", 95, "error", "fct_orders").status == "pass"


def test_a_score_that_cannot_be_trusted_never_passes() -> None:
    # the model was not rebuilt: its score test is stale like its other checks, for the same reason
    why = "not rebuilt: upstream stg_orders failed"
    stale = judge_score([_check("stale", message=why)], "completeness", 10, "error", "fct_orders")
    assert stale.status == "stale" and stale.message == why and stale.score is None
    # over several models (the project's score test): stale, with the count
    other = CheckResult(**{**_check("stale").__dict__, "node_id": "model.shop.x", "check_id": "x"})
    mixed = judge_score([_check("pass"), _check("stale"), other], "completeness", 10, "error", "project")
    assert mixed.status == "stale" and "2 check(s) are stale" in mixed.message
    unmeasured = judge_score([_check("pass", "validity")], "completeness", 10, "warn", "fct_orders")
    assert unmeasured.status == "error" and "not measured" in unmeasured.message
    nothing = judge_score([], "overall", 0, "error", "fct_orders")
    assert nothing.status == "error" and "not measured" in nothing.message


def test_score_tests_do_not_feed_the_score_they_test() -> None:
    own = _check("fail", "completeness", kind="quality_score")  # a failing score test of earlier
    slow = _check("fail", "performance", kind="query_time")
    verdict = judge_score([_check("pass"), own, slow], "completeness", 99, "error", "fct_orders")
    assert verdict.status == "pass" and verdict.score == 100.0
    run = ValidationRun(
        "r", "shop", "t", "duckdb", "main", "build", "s", "f", 1.0, [_check("pass"), own, slow]
    )
    report = score_run(run)
    assert report.overall == 100.0
    assert "performance" not in report.dimensions and "overall" not in report.dimensions
    assert {c.kind for c in report.checks} == {"not_null", "quality_score", "query_time"}
    assert report.models[0].checks == 1


def test_build_time_verdicts_and_trend() -> None:
    ok = judge_build_time(DbtNodeRun(NODE, "success", 2.0), 30, 60, [1.0, 2.0, 3.0])
    assert ok.status == "pass" and "median of the last 3 build(s) 2.00s, = +0%" in ok.message
    warn = judge_build_time(DbtNodeRun(NODE, "success", 45.0), 30, 60, [])
    assert warn.status == "warn" and "no earlier builds" in warn.message
    fail = judge_build_time(DbtNodeRun(NODE, "success", 61.0), 30, 60, [30.0])
    assert fail.status == "fail" and "▲ +103%" in fail.message
    assert judge_build_time(None, None, 60, []).status == "skipped"
    errored = judge_build_time(DbtNodeRun(NODE, "error", 0.1), None, 60, [])
    assert errored.status == "skipped" and "model error" in errored.message
    assert trend_text(1.0, [2.0]).endswith("▼ -50%")


def test_project_score_tests_from_pef_gx_yml(tmp_path) -> None:
    from pef_gx.runner.custom_tests_step import project_score_tests
    from pef_gx.scoring.formula import ScoringConfig
    from pef_gx.settings import Settings

    run = ValidationRun(
        "r", "shop", "t", "duckdb", "main", "build", "s", "f", 1.0, [_check("pass"), _check("fail")]
    )
    settings = Settings(
        root=tmp_path, sections={"quality_score": {"min": 90, "dimensions": {"completeness": 99}}}
    )
    found = {c.dimension: c for c in project_score_tests(settings, run, ScoringConfig())}
    assert found["overall"].status == "pass" and found["overall"].node_id == "project.shop"
    assert found["completeness"].status == "fail" and found["completeness"].severity == "error"
    assert found["completeness"].observed == pytest.approx(95.0)
    bad = Settings(root=tmp_path, sections={"quality_score": {"min": "high"}})
    with pytest.raises(ConfigError, match=r"pef-gx\.yml: quality_score"):
        project_score_tests(bad, run, ScoringConfig())


def test_a_score_of_checks_that_could_not_run_is_an_error() -> None:
    gone = _check("error", message="relation main.x does not exist")
    verdict = judge_score([gone, _check("error")], "overall", 0, "error", "fct_orders")
    assert verdict.status == "error" and "none of its 2 check(s) could run" in verdict.message
    assert "main.x does not exist" in verdict.message
    partly = judge_score([gone, _check("pass")], "completeness", 60, "error", "fct_orders")
    assert partly.status == "fail" and partly.score == 50.0  # a check that could not run scores 0


def test_a_bad_project_score_test_stops_build_before_dbt(tmp_path) -> None:
    from tests.conftest import copy_workspace, run_cli, snapshot_tree

    ws = copy_workspace(tmp_path / "ws")
    with (ws / "pef-gx.yml").open("a") as handle:
        handle.write("quality_score: {min: 90, dimensions: {freshness: 99}}\n")
    before = snapshot_tree(ws)
    for command in ("build", "checkpoint"):
        result = run_cli(command, cwd=ws)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "pef-gx.yml: quality_score: unknown quality dimension 'freshness'" in result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot_tree(ws) == before and not (ws / "dbt_project" / "target").exists()
