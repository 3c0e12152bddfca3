"""After the checkpoint: judge the quality-score and build-time tests from the run's results.

The tests are expectations of the suites (written by `pef-gx generate` from the models' meta, or by
hand) that the checkpoint does not run (pef_gx.validation.suites.DEFERRED_TYPES), plus the project's
`quality_score:` in pef-gx.yml. Each becomes a CheckResult like any other: it is added to the run, the
results file is written again (same run id, atomically), and the suite's stored GX validation result
gets it too, so the Data Docs show it beside the checks GX ran. The history step, the scores, the PR
comment and the alerts then read it from the results file.

Only nodes this run validated (or built) are judged: a model outside `--select` has no result to judge.
After a build, the build-time test of every model of the dbt invocation reports: one dbt skipped (an
upstream failure) is "skipped"; a model outside the selection is not reported at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks import custom_tests
from pef_gx.checks.spec import Severity
from pef_gx.observability.build_time import judge_build_time, past_build_times
from pef_gx.results.model import CheckResult, ValidationRun
from pef_gx.results.writer import write_run
from pef_gx.runner.build import BuildContext
from pef_gx.scoring.formula import ScoringConfig
from pef_gx.scoring.score_tests import judge_score
from pef_gx.settings import Settings

PROJECT_SUITE = "pef_gx_project"  # results of the project-level score tests (pef-gx.yml)


@dataclass
class CustomTestsResult:
    results: list[CheckResult] = field(default_factory=list)
    skipped: str | None = None


class CustomTestsStep:
    """Post-run step of `pef-gx build`, right after the checkpoint step."""

    name = "custom_tests"

    def __init__(self, settings: Settings | None = None) -> None:
        if settings is not None:
            project_rules(settings)  # a bad `quality_score:` in pef-gx.yml stops before dbt runs

    def run(self, context: BuildContext) -> CustomTestsResult:
        step = context.step_results.get("checkpoint")
        run = getattr(step, "run", None)
        if run is None:
            return CustomTestsResult(skipped="no checkpoint ran")
        # the history step writes the results file after recording the run
        return CustomTestsResult(apply_custom_tests(context.settings, run, write=False))


def apply_custom_tests(settings: Settings, run: ValidationRun, write: bool = True) -> list[CheckResult]:
    """Judge the tests, add their results to `run` (in place) and, with `write`, to its files."""
    from pef_gx.validation.suites import load_suites

    judged = {r.node_id for r in run.relations} | {c.node_id for c in run.checks}
    # build-time tests: after a build, every model of its dbt invocation; after a standalone checkpoint,
    # the models it validated (the invocation it follows may have built more than was selected here)
    invoked = {n.unique_id for n in run.dbt_nodes}
    if run.command != "build":
        invoked &= judged
    config = ScoringConfig.from_section(settings.section("scoring"))
    deferred = [
        (suite, check)
        for suite in load_suites(settings.suites_dir)
        for check in suite.deferred
        if (check.node_id or suite.node_id) in (invoked if check.kind == custom_tests.BUILD_TIME else judged)
    ]
    build_nodes = sorted(
        {str(c.node_id or s.node_id) for s, c in deferred if c.kind == custom_tests.BUILD_TIME}
    )
    past = past_build_times(settings, build_nodes, run.started_at) if build_nodes else {}
    dbt_nodes = {n.unique_id: n for n in run.dbt_nodes}
    names = {c.node_id: c.node_name for c in run.checks}
    results: list[CheckResult] = []
    for suite, check in deferred:
        node_id = str(check.node_id or suite.node_id)
        base = _base(check, suite.name, node_id, names.get(node_id) or node_id.split(".")[-1])
        kwargs = check.kwargs
        if check.kind == custom_tests.QUALITY_SCORE:
            verdict = judge_score(
                [c for c in run.checks if c.node_id == node_id],
                str(kwargs.get("dimension") or "overall"),
                float(kwargs["min_value"]),
                check.severity,
                base["node_name"],
                config,
            )
            value = None if verdict.score is None else round(verdict.score, 2)
            results.append(
                CheckResult(**base, status=verdict.status, message=verdict.message, observed=value)
            )
        elif check.kind == custom_tests.BUILD_TIME:
            b = judge_build_time(
                dbt_nodes.get(node_id),
                kwargs.get("warn_after_seconds"),
                kwargs.get("error_after_seconds"),
                past.get(node_id, []),
            )
            results.append(
                CheckResult(
                    **base,
                    status=b.status,
                    message=b.message,
                    observed=None if b.seconds is None else round(b.seconds, 3),
                )
            )
    results += project_score_tests(settings, run, config)
    run.checks.extend(results)
    if write and results:
        write_run(run, settings.root)
    from pef_gx.runner.checkpoint import finish_docs

    finish_docs(settings, run, _docs_entries(deferred, results) if results else {})
    return results


def project_rules(settings: Settings) -> tuple[list[tuple[str, float]], Severity] | None:
    """The project's score tests (`quality_score:` in pef-gx.yml), checked; None when there are none."""
    section = settings.section("quality_score")
    if not section:
        return None
    return custom_tests.score_rules(dict(section), f"{settings.project_file.name}: quality_score")


def project_score_tests(settings: Settings, run: ValidationRun, config: ScoringConfig) -> list[CheckResult]:
    """The `quality_score:` of pef-gx.yml, judged over every check of the run."""
    declared = project_rules(settings)
    if declared is None:
        return []
    rules, severity = declared
    node_id = f"project.{run.project}"
    out = []
    for dimension, minimum in rules:
        verdict = judge_score(
            run.checks, dimension, minimum, severity.value, f"project {run.project}", config
        )
        check_id = f"project-score-{dimension}"
        out.append(
            CheckResult(
                check_id=check_id,
                suite=PROJECT_SUITE,
                node_id=node_id,
                node_name=run.project,
                columns=(),
                kind=custom_tests.QUALITY_SCORE,
                expectation_type=custom_tests.GX_TYPES[custom_tests.QUALITY_SCORE],
                origin_type="project",
                origin_ref="pef-gx.yml#quality_score",
                dimension=dimension,
                severity=severity.value,
                level="table",
                status=verdict.status,
                message=verdict.message,
                observed=None if verdict.score is None else round(verdict.score, 2),
            )
        )
    return out


def _base(check: Any, suite: str, node_id: str, node_name: str) -> dict[str, Any]:
    return {
        "check_id": check.check_id,
        "suite": suite,
        "node_id": node_id,
        "node_name": node_name,
        "columns": (),
        "kind": check.kind,
        "expectation_type": check.gx_type,
        "origin_type": check.origin_type,
        "origin_ref": check.origin_ref,
        "dimension": check.dimension,
        "severity": check.severity,
        "level": "table",
    }


def _docs_entries(
    deferred: Sequence[tuple[Any, Any]], results: Sequence[CheckResult]
) -> dict[str, list[dict[str, Any]]]:
    """suite name -> the expectation (as written) and its result, for the stored GX validation results."""
    by_id = {r.check_id: r for r in results}
    out: dict[str, list[dict[str, Any]]] = {}
    for suite, check in deferred:
        result = by_id.get(check.check_id)
        if result is None:
            continue
        out.setdefault(suite.name, []).append(
            {
                "type": check.gx_type,
                "kwargs": dict(check.kwargs),
                "meta": dict(check.expectation.get("meta") or {}),
                "success": result.status == "pass",
                "observed_value": result.observed,
                "status": result.status,
                "message": result.message,
            }
        )
    return out
