"""Score one validation run: per dimension, per model and for the project, with coverage beside each.

Pure: a ValidationRun (and optionally a parsed manifest for the coverage universe) in, a ScoreReport out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pef_gx.artifacts.manifest import Manifest
from pef_gx.checks.custom_tests import UNSCORED_KINDS
from pef_gx.checks.spec import DIMENSIONS
from pef_gx.results.model import CheckResult, ValidationRun
from pef_gx.scoring.formula import ScoringConfig, check_score, dimension_score, overall_score
from pef_gx.scoring.model import CheckOutcome, Coverage, DimensionScore, ModelScore, ScoreReport
from pef_gx.scoring.universe import Universe, build_universe


def dimensions_of(checks: Iterable[CheckResult]) -> list[str]:
    """The six known dimensions in their fixed order, then any other dimension a check names."""
    extra = sorted({c.dimension for c in checks} - set(DIMENSIONS))
    return [*DIMENSIONS, *extra]


def coverage(checks: Iterable[CheckResult], universe: Universe) -> Coverage:
    """Share of the universe's models and columns with at least one of `checks`."""
    models: set[str] = set()
    columns: set[tuple[str, str]] = set()
    for check in checks:
        if check.node_id in universe.nodes:
            models.add(check.node_id)
            known = universe.nodes[check.node_id]
            columns.update((check.node_id, c.lower()) for c in check.columns if c.lower() in known)
    return Coverage(len(models), universe.node_count, len(columns), universe.column_count)


def _outcome(check: CheckResult) -> CheckOutcome:
    return CheckOutcome(
        check_id=check.check_id,
        node_id=check.node_id,
        node_name=check.node_name,
        columns=tuple(check.columns),
        kind=check.kind,
        dimension=check.dimension,
        severity=check.severity,
        status=check.status,
        score=check_score(check),
        unexpected_count=check.unexpected_count,
        element_count=check.element_count,
    )


def _by_dimension(checks: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    grouped: dict[str, list[CheckResult]] = defaultdict(list)
    for check in checks:
        grouped[check.dimension].append(check)
    return grouped


def _model_scores(
    checks: list[CheckResult], universe: Universe, dims: list[str], config: ScoringConfig
) -> list[ModelScore]:
    by_node: dict[str, list[CheckResult]] = defaultdict(list)
    for check in checks:
        by_node[check.node_id].append(check)
    models = []
    for node_id, columns in universe.nodes.items():
        node_checks = by_node.get(node_id, [])
        grouped = _by_dimension(node_checks)
        per_dim = {d: dimension_score(grouped.get(d, ()), config) for d in dims}
        covered = {c.lower() for check in node_checks for c in check.columns} & set(columns)
        models.append(
            ModelScore(
                node_id=node_id,
                name=universe.names.get(node_id, node_id),
                score=overall_score(per_dim, config),
                dimensions={d: s for d, s in per_dim.items() if s is not None},
                checks=len(node_checks),
                failing=sum(1 for c in node_checks if c.status != "pass"),
                columns_covered=len(covered),
                columns_total=len(columns),
            )
        )
    return sorted(models, key=lambda m: (m.score is None, m.score if m.score is not None else 0.0, m.name))


def scored_checks(checks: Iterable[CheckResult]) -> list[CheckResult]:
    """The checks a quality score is made of (all but the quality-score and performance tests)."""
    return [c for c in checks if c.kind not in UNSCORED_KINDS]


def score_run(
    run: ValidationRun, manifest: Manifest | None = None, config: ScoringConfig | None = None
) -> ScoreReport:
    """Every score of `run`. `manifest` (pef_gx.artifacts.manifest) widens the coverage universe."""
    config = config or ScoringConfig()
    # quality-score and performance tests are listed with the run's checks but never scored: a score
    # test cannot vote on the score it tests, and a slow query is no defect in the data
    listed = list(run.checks)
    checks = scored_checks(listed)
    universe = build_universe(checks, manifest)
    dims = dimensions_of(checks)
    grouped = _by_dimension(checks)
    dimensions = {
        d: DimensionScore(
            dimension=d,
            score=dimension_score(grouped.get(d, ()), config),
            checks=len(grouped.get(d, ())),
            failing=sum(1 for c in grouped.get(d, ()) if c.status != "pass"),
            coverage=coverage(grouped.get(d, ()), universe),
        )
        for d in dims
    }
    return ScoreReport(
        project=run.project,
        run_id=run.run_id,
        target_type=run.target_type,
        started_at=run.started_at,
        overall=overall_score({d: s.score for d, s in dimensions.items()}, config),
        dimensions=dimensions,
        models=_model_scores(checks, universe, dims, config),
        checks=sorted((_outcome(c) for c in listed), key=lambda o: (o.node_name, o.kind, o.check_id)),
        coverage=coverage(checks, universe),
        weights=config.to_dict(),
        universe=universe.to_dict(),
        data_docs_index=run.data_docs_index,
    )
