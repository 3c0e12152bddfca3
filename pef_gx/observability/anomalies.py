"""Volume and freshness anomalies with robust statistics (pure functions).

Baseline: from the last `window` values that were not themselves anomalies, the median, or (with at
least 2 x min_history values) the Theil-Sen line through them, a median-based fit that follows a table's
steady growth; spread: the median absolute deviation of the values around it, scaled to a standard
deviation (x 1.4826). A value is an anomaly when its distance from
the median exceeds `sensitivity` spreads AND a minimum absolute change AND a minimum share of the
baseline, so a table that always has 1,000 rows does not alert on 1,003. A plain z-score (mean, standard
deviation, 3 sigma) is kept here only for the benchmark (bench/anomaly_bench.py) to compare against.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Verdict:
    value: float
    baseline: float | None  # median of the baseline; None: not enough history
    spread: float | None  # MAD x 1.4826
    score: float | None  # robust z: (value - baseline) / spread (inf when spread is 0)
    anomaly: bool
    direction: str | None  # 'drop' | 'spike' when anomaly
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "baseline": self.baseline,
            "spread": self.spread,
            "score": None if self.score is None or math.isinf(self.score) else round(self.score, 3),
            "anomaly": self.anomaly,
            "direction": self.direction,
            "reason": self.reason,
        }


def robust_verdict(
    past: Sequence[float],
    value: float,
    *,
    threshold: float = 3.5,
    window: int = 30,
    min_history: int = 5,
    min_abs_change: float = 0.0,
    min_rel_change: float = 0.0,
    direction: str = "both",  # both | up | down: which way counts (freshness lag: up only)
    trend: bool = True,  # follow a steady growth (Theil-Sen line) instead of a flat median
) -> Verdict:
    """Judge `value` against `past` (oldest first; past anomalies already left out by the caller)."""
    recent = [float(v) for v in past if v is not None and not math.isnan(float(v))][-window:]
    if len(recent) < min_history:
        return Verdict(value, None, None, None, False, None, f"{len(recent)} past values, need {min_history}")
    median, spread = _baseline(recent, trend and len(recent) >= 2 * min_history)
    delta = value - median
    score = delta / spread if spread > 0 else (0.0 if delta == 0 else math.copysign(math.inf, delta))
    floor = max(min_abs_change, min_rel_change * abs(median))
    way = "spike" if delta > 0 else "drop"
    allowed = direction == "both" or (direction == "up") == (delta > 0)
    is_anomaly = allowed and abs(delta) > floor and abs(score) > threshold
    if is_anomaly:
        size = f"{abs(score):.1f} MADs" if spread > 0 else "it did not vary before"
        reason = f"{value:g} vs expected {median:g} ({delta:+g}, {size})"
    elif abs(delta) <= floor:
        reason = f"change {delta:+g} within the minimum {floor:g}"
    else:
        reason = f"{abs(score):.1f} MADs, threshold {threshold:g}" if allowed else "direction not watched"
    return Verdict(value, median, spread, score, is_anomaly, way if is_anomaly else None, reason)


def _baseline(values: Sequence[float], trend: bool) -> tuple[float, float]:
    """(expected next value, spread). Flat: the median. Trend: the Theil-Sen line (median of pairwise
    slopes, median intercept) extrapolated one step; spread from the residuals' MAD either way."""
    n = len(values)
    slope = 0.0
    if trend:
        slope = statistics.median(
            (values[j] - values[i]) / (j - i) for i in range(n) for j in range(i + 1, n)
        )
    intercept = statistics.median(v - slope * i for i, v in enumerate(values))
    residuals = [v - (intercept + slope * i) for i, v in enumerate(values)]
    spread = statistics.median(abs(r) for r in residuals) * MAD_TO_SIGMA
    return intercept + slope * n, spread


def robust_series(values: Sequence[float], **kwargs: float | int | str) -> list[bool]:
    """Flags for a whole series, each value judged against the earlier non-anomalous ones."""
    kept: list[float] = []
    flags: list[bool] = []
    for value in values:
        verdict = robust_verdict(kept, value, **kwargs)  # type: ignore[arg-type]
        flags.append(verdict.anomaly)
        if not verdict.anomaly:
            kept.append(value)
    return flags


def zscore_series(
    values: Sequence[float], sigmas: float = 3.0, min_history: int = 5, window: int = 30
) -> list[bool]:
    """The plain detector: mean and standard deviation of the previous values (anomalies included)."""
    flags: list[bool] = []
    for i, value in enumerate(values):
        past = list(values[max(0, i - window) : i])
        if len(past) < min_history:
            flags.append(False)
            continue
        mean = statistics.fmean(past)
        std = statistics.pstdev(past)
        flags.append(abs(value - mean) > sigmas * std if std > 0 else value != mean)
    return flags
