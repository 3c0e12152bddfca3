"""`--fail-under`: is a score below the threshold? A project with nothing measured is below any threshold."""

from __future__ import annotations

from pef_gx.errors import ConfigError
from pef_gx.scoring.model import ScoreReport


def validate_threshold(value: float) -> float:
    if not 0.0 <= value <= 100.0:
        raise ConfigError(f"--fail-under must be between 0 and 100, not {value:g}", "e.g. --fail-under 90")
    return value


def below(report: ScoreReport, threshold: float | None) -> bool:
    """True when `threshold` is set and the overall score is under it (or not measured at all)."""
    if threshold is None:
        return False
    validate_threshold(threshold)
    return report.overall is None or report.overall < threshold
