"""Scores over past runs (the trend on the scores page): pure, from results files already read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pef_gx.results.model import ValidationRun
from pef_gx.scoring.compute import score_run
from pef_gx.scoring.formula import ScoringConfig
from pef_gx.scoring.model import ScoreReport


@dataclass(frozen=True)
class TrendPoint:
    run_id: str
    started_at: str
    overall: float | None
    dimensions: dict[str, float | None]
    target: str = ""  # engine/target name: a trend shows one at a time


def trend(
    runs: Iterable[ValidationRun],
    project: str,
    config: ScoringConfig | None = None,
    limit: int = 30,
    current: ScoreReport | None = None,
) -> list[TrendPoint]:
    """The last `limit` runs of `project`, oldest first, each with its overall and dimension scores.

    `current` (the run being reported, already scored) is reused instead of being scored again.
    """
    unique: dict[str, ValidationRun] = {}
    for run in runs:
        if run.project == project:
            unique.setdefault(run.run_id, run)
    chosen = sorted(unique.values(), key=lambda r: (r.started_at, r.run_id))[-limit:]
    points = []
    for run in chosen:
        if current is not None and run.run_id == current.run_id:
            report = current
        else:
            report = score_run(run, config=config)
        dims = {k: v.score for k, v in report.dimensions.items()}
        target = f"{run.target_type}/{run.target_name}"
        points.append(TrendPoint(run.run_id, run.started_at, report.overall, dims, target))
    return points
