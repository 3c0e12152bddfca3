"""Trend axes that read: a y range fitted to the data (with round ticks), and time labels that show the
hour when two runs share a day."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def nice_step(span: float, ticks: int = 4) -> float:
    raw = span / max(1, ticks)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def fitted_range(
    values: Iterable[float | None], floor: float | None = None, ceiling: float | None = None
) -> tuple[float, float, float]:
    """(y_min, y_max, step) around the data with a margin; within [floor, ceiling] when given.
    Six lines at 99.9 get an axis of 99.8..100, not 0..100."""
    seen = [float(v) for v in values if v is not None]
    if not seen:
        low, high = (floor or 0.0), (ceiling if ceiling is not None else 1.0)
        return low, high, nice_step(high - low)
    low, high = min(seen), max(seen)
    span = high - low
    margin = span * 0.1 if span else max(abs(high) * 0.01, 0.1)
    low, high = low - margin, high + margin
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    step = nice_step(high - low)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    if high <= low:
        high = low + step
    return low, high, step


def time_labels(stamps: Sequence[str]) -> list[str]:
    """ISO times -> 'MM-DD', or 'MM-DD HH:MM' when some runs share a day (so labels never repeat)."""
    days = [str(s)[5:10] for s in stamps]
    if len(set(days)) == len(days):
        return days
    minutes = [str(s)[5:16].replace("T", " ") for s in stamps]
    if len(set(minutes)) == len(minutes):
        return minutes
    return [str(s)[5:19].replace("T", " ") for s in stamps]
