"""Compare a run's scores with a baseline (usually the scores saved from the main branch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pef_gx.errors import PefGxError
from pef_gx.scoring.model import CheckOutcome, ScoreReport


class BaselineError(PefGxError):
    """The baseline scores file is missing, unreadable or belongs to another project."""


@dataclass(frozen=True)
class Comparison:
    baseline_run_id: str
    baseline_started_at: str
    overall_delta: float | None  # None when either side is not measured
    dimension_deltas: dict[str, float | None]
    model_deltas: dict[str, float | None]  # node_id -> delta (models present on both sides)
    newly_failing: list[CheckOutcome]  # failing now; passing in the baseline or new since
    newly_passing: list[CheckOutcome]  # passing now; failing in the baseline
    added_checks: int
    removed_checks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline_run_id": self.baseline_run_id,
            "baseline_started_at": self.baseline_started_at,
            "overall_delta": _round(self.overall_delta),
            "dimension_deltas": {k: _round(v) for k, v in self.dimension_deltas.items()},
            "model_deltas": {k: _round(v) for k, v in sorted(self.model_deltas.items())},
            "newly_failing": [c.to_dict() for c in self.newly_failing],
            "newly_passing": [c.to_dict() for c in self.newly_passing],
            "added_checks": self.added_checks,
            "removed_checks": self.removed_checks,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _delta(current: float | None, baseline: float | None) -> float | None:
    if current is None or baseline is None:
        return None
    return current - baseline


def compare(current: ScoreReport, baseline: ScoreReport) -> Comparison:
    """Deltas and changed checks of `current` against `baseline` (same dbt project, else BaselineError)."""
    if current.project != baseline.project:
        raise BaselineError(
            f"the baseline is from project '{baseline.project}', these results from '{current.project}'",
            "pass a baseline saved from this project (pef-gx score --out main-scores.json on main)",
        )
    before = {c.check_id: c for c in baseline.checks}
    now = {c.check_id: c for c in current.checks}
    newly_failing = [
        c
        for c in current.checks
        if not c.passing and not c.not_run and (c.check_id not in before or before[c.check_id].passing)
    ]
    newly_passing = [
        c for c in current.checks if c.passing and c.check_id in before and not before[c.check_id].passing
    ]
    base_models = {m.node_id: m.score for m in baseline.models}
    return Comparison(
        baseline_run_id=baseline.run_id,
        baseline_started_at=baseline.started_at,
        overall_delta=_delta(current.overall, baseline.overall),
        dimension_deltas={
            name: _delta(dim.score, baseline.dimensions[name].score if name in baseline.dimensions else None)
            for name, dim in current.dimensions.items()
        },
        model_deltas={
            m.node_id: _delta(m.score, base_models[m.node_id])
            for m in current.models
            if m.node_id in base_models
        },
        newly_failing=newly_failing,
        newly_passing=newly_passing,
        added_checks=len(now.keys() - before.keys()),
        removed_checks=len(before.keys() - now.keys()),
    )
