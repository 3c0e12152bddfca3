"""Scores over past runs (the trend on the scores page): pure, from results files already read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pef_gx.results.model import ValidationRun
from pef_gx.scoring.compute import score_run
from pef_gx.scoring.formula import ScoringConfig


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    started_at: str
    overall: float | None
    dimensions: dict[str, float | None]


def trend(
    runs: Iterable[ValidationRun], project: str, config: ScoringConfig | None = None, limit: int = 30
) -> list[TrendPoint]:
    """The last `limit` runs of `project`, oldest first, each with its overall and dimension scores."""
    seen: set[str] = set()
    points = []
    for run in sorted((r for r in runs if r.project == project), key=lambda r: (r.started_at, r.run_id)):
        if run.run_id in seen:
            continue
        seen.add(run.run_id)
        report = score_run(run, config=config)
        points.append(
            TrendPoint(
                run.run_id, run.started_at, report.overall, {k: v.score for k, v in report.dimensions.items()}
            )
        )
    return points[-limit:]
