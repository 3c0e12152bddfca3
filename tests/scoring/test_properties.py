"""Property tests (hypothesis): bounds, monotonicity, and "not measured" is never 100."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from pef_gx.checks.spec import DIMENSIONS
from pef_gx.reporting.badge import badge_files
from pef_gx.reporting.markdown import render_markdown
from pef_gx.reporting.text import render_text
from pef_gx.reporting.view import build_view, score_text
from pef_gx.results.model import CheckResult
from pef_gx.scoring import score_run
from tests.scoring.factory import check, run


@st.composite
def check_results(draw) -> CheckResult:
    level = draw(st.sampled_from(["row", "table"]))
    evaluated = draw(st.one_of(st.none(), st.integers(0, 10_000)))
    unexpected = draw(st.one_of(st.none(), st.integers(0, 12_000)))  # may even exceed evaluated
    return check(
        node=draw(st.sampled_from(["a", "b", "c"])),
        kind=draw(st.sampled_from(["not_null", "unique", "accepted_values", "row_count"])),
        columns=tuple(draw(st.lists(st.sampled_from(["x", "y", "z"]), max_size=2, unique=True))),
        dimension=draw(st.sampled_from(DIMENSIONS)),
        status=draw(st.sampled_from(["pass", "warn", "fail", "error"])),
        severity=draw(st.sampled_from(["error", "warn"])),
        level=level,
        evaluated=evaluated,
        unexpected=unexpected,
    )


def _unique_ids(checks: list[CheckResult]) -> list[CheckResult]:
    return [replace(c, check_id=f"{i:04d}{c.check_id}") for i, c in enumerate(checks)]


def _all_scores(report) -> list[float | None]:
    scores = [report.overall, *(d.score for d in report.dimensions.values())]
    scores += [m.score for m in report.models]
    scores += [s for m in report.models for s in m.dimensions.values()]
    return scores


@settings(max_examples=300, deadline=None)
@given(st.lists(check_results(), max_size=25))
def test_every_score_is_between_0_and_100(checks):
    report = score_run(run(_unique_ids(checks)))
    for value in _all_scores(report):
        assert value is None or 0.0 <= value <= 100.0
    for outcome in report.checks:
        assert 0.0 <= outcome.score <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(check_results(), min_size=1, max_size=20),
    st.data(),
    st.sampled_from(["warn", "fail", "error"]),
    st.integers(0, 5000),
)
def test_a_score_never_rises_when_a_check_starts_failing(checks, data, new_status, more_unexpected):
    checks = _unique_ids(checks)
    index = data.draw(st.integers(0, len(checks) - 1))
    before_check = replace(checks[index], status="pass")
    unexpected = before_check.unexpected_count
    after_check = replace(
        before_check,
        status=new_status,
        unexpected_count=None if unexpected is None else unexpected + more_unexpected,
    )
    before = score_run(run([*checks[:index], before_check, *checks[index + 1 :]]))
    after = score_run(run([*checks[:index], after_check, *checks[index + 1 :]]))
    eps = 1e-9
    assert (after.overall or 0) <= (before.overall or 0) + eps
    for name, dim in after.dimensions.items():
        if dim.score is not None:
            assert dim.score <= before.dimensions[name].score + eps
    before_models = {m.node_id: m for m in before.models}
    for model in after.models:
        if model.score is not None:
            assert model.score <= before_models[model.node_id].score + eps


@settings(max_examples=200, deadline=None)
@given(st.lists(check_results(), max_size=20))
def test_a_dimension_without_checks_is_never_shown_as_100(checks):
    report = score_run(run(_unique_ids(checks)))
    view = build_view(report)
    text = render_text(view)
    markdown = render_markdown(view, version="test")
    badges = {f.name: f.content for f in badge_files(view)}
    for name, dim in report.dimensions.items():
        if dim.checks == 0:
            assert dim.score is None
            row = next(r for r in view.dimensions if r.key == name)
            assert row.score_text == "not measured"
            assert f"| {name} | _not measured_ |" in markdown
            assert (
                ">not measured<" in badges[f"{name}.svg"]
                and "100" not in badges[f"{name}.svg"].split("<title>")[1].split("</title>")[0]
            )
            assert any(line.startswith(name) and "not measured" in line for line in text.splitlines())


@given(st.floats(0, 100, allow_nan=False))
def test_score_text_never_shows_100_unless_perfect(value):
    shown = score_text(value)
    assert (shown == "100") == (value >= 100.0)
    assert abs(float(shown) - value) <= 0.1 + 1e-9
