"""Volume and freshness anomalies that a team can leave switched on (pure functions).

Each value of a series is judged, oldest first, against a baseline fitted on the earlier values of the
same level (pef_gx.observability.baseline: trend, weekly season, robust noise):

- out of band = farther from the expected value than `threshold` noise units AND a minimum absolute
  change AND a minimum share of the expected value (1,000 -> 1,003 rows is never news);
- an out-of-band value is an anomaly and stays out of later baselines (one bad load does not hide the
  next). Values that follow it on the same side and near it are a possible new level, not new anomalies;
  after `confirm` of them in a row the new level is accepted: the baseline restarts there (a table that
  grew 60 % overnight alerts once, on the first day);
- an empty load (0 rows) is an anomaly unless the table is usually empty;
- until a weekly season is established (three weeks), a value that repeats the same weekday of the week
  before is not news either (weekend dips in the first weeks);
- every verdict names the baseline it used ("weekday baseline: Saturdays 2,710 +- 90").

Volume is judged on log values, freshness lag (hours, only growth counts) on the values themselves.
A plain z-score (3 sigma) and a day-of-week z-score (what Elementary does) are kept here for the
benchmark (bench/anomaly_bench.py) to compare against.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pef_gx.observability.baseline import MAD_TO_SIGMA, WEEKDAYS, Model, fit, with_level

CONFIRM = 3  # consecutive out-of-band values on one side that make a new level


@dataclass(frozen=True)
class Verdict:
    value: float
    baseline: float | None  # expected value; None: not enough history
    spread: float | None  # noise of one value around it, in the value's units
    score: float | None  # (value - expected) / noise, on the judged scale
    anomaly: bool
    direction: str | None  # 'drop' | 'spike' when anomaly
    reason: str
    basis: str = ""  # which baseline: "weekday baseline: Saturdays 2,710 +- 90"
    event: str | None = None  # anomaly | possible_new_level | new_level | empty | None

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "baseline": self.baseline,
            "spread": self.spread,
            "score": None if self.score is None or math.isinf(self.score) else round(self.score, 3),
            "anomaly": self.anomaly,
            "direction": self.direction,
            "reason": self.reason,
            "basis": self.basis,
            "event": self.event,
        }


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2g}"


class _Scale:
    """Volume: log scale (multiplicative changes); lag: the values themselves."""

    def __init__(self, log: bool) -> None:
        self.log = log

    def to(self, value: float) -> float:
        return math.log(value) if self.log else value

    def back(self, value: float) -> float:
        return math.exp(value) if self.log else value

    def spread(self, centre: float, sigma: float) -> float:
        return self.back(centre) * (math.exp(sigma) - 1) if self.log else sigma


def _basis(model: Model, scale: _Scale, t: float, weekday: int, unit: str) -> str:
    expected = scale.back(model.expected(t, weekday))
    spread = scale.spread(model.expected(t, weekday), model.sigma)
    what = f"{_num(expected)} +- {_num(spread)}{unit}"
    if model.season is not None:
        text = f"weekday baseline: {WEEKDAYS[weekday]} {what}"
    elif abs(model.slope) > 1e-9 and model.points >= 10:
        per_day = (math.exp(model.slope) - 1) * 100 if scale.log else model.slope
        rate = f"{per_day:+.1f} %/day" if scale.log else f"{per_day:+.2g}{unit}/day"
        text = f"trend baseline: {what} ({rate})"
    else:
        text = f"median baseline: {what}"
    if model.carried:
        text += ", new level (noise and season from before)"
    return f"{text}, {model.points} values"


def detect(
    values: Sequence[float | None],
    times: Sequence[float] | None = None,
    weekdays: Sequence[int] | None = None,
    *,
    threshold: float = 3.5,
    window: int = 60,
    min_history: int = 7,
    min_abs_change: float = 0.0,
    min_rel_change: float = 0.0,
    direction: str = "both",  # both | up | down: which way counts (freshness lag: up only)
    log_scale: bool = True,  # volume: True; freshness lag: False
    trend: bool = True,
    season: bool = True,
    confirm: int = CONFIRM,
    unit: str = "",
) -> list[Verdict]:
    """One verdict per value (oldest first). `times`: days (float) since any origin, default the index;
    `weekdays`: 0 = Monday, default derived from `times` with day 0 a Monday."""
    n = len(values)
    ts = [float(t) for t in times] if times is not None else [float(i) for i in range(n)]
    wds = list(weekdays) if weekdays is not None else [math.floor(t) % 7 for t in ts]
    scale = _Scale(log_scale)
    verdicts: list[Verdict] = []
    excluded: set[int] = set()  # anomalies and unconfirmed level changes: never in a baseline
    pending: list[tuple[int, float]] = []  # (index, deviation) of a possible new level
    start = 0  # first index of the current level
    carried: Model | None = None
    for i, raw in enumerate(values):
        value = None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else float(raw)
        if value is None:
            verdicts.append(Verdict(math.nan, None, None, None, False, None, "no value"))
            excluded.add(i)
            continue
        past = [j for j in range(start, i) if j not in excluded and values[j] is not None]
        if log_scale and value <= 0:
            verdicts.append(_empty(values, i, window, value))
            excluded.add(i)
            pending = []
            continue
        base = [j for j in past if not (log_scale and float(values[j]) <= 0)][-window:]  # type: ignore[arg-type]
        if len(base) < min_history and carried is None:
            verdicts.append(
                Verdict(value, None, None, None, False, None, f"{len(base)} past values, need {min_history}")
            )
            continue
        model = (
            fit(
                [ts[j] for j in base],
                [scale.to(float(values[j])) for j in base],  # type: ignore[arg-type]
                [wds[j] for j in base],
                trend=trend,
                season=season,
                carried=carried,
            )
            if base
            else carried
        )
        assert model is not None
        model = _noise_from_all(model, values, ts, wds, scale, start, i, window, pending)
        y = scale.to(value)
        centre = model.expected(ts[i], wds[i])
        expected = scale.back(centre)
        deviation = y - centre
        score = deviation / model.sigma if model.sigma > 0 else (0.0 if deviation == 0 else math.inf)
        change = value - expected
        floor = max(min_abs_change, min_rel_change * abs(expected))
        out = abs(score) > threshold and abs(change) > floor
        if out and model.season is None and _repeats_last_week(values, ts, wds, i, scale, model, threshold):
            out = False  # like the same weekday a week ago: a season not yet established, not news
        basis = _basis(model, scale, ts[i], wds[i], unit)
        spread = scale.spread(centre, model.sigma)
        way = "spike" if change > 0 else "drop"
        watched = direction == "both" or (direction == "up") == (change > 0)
        if not out:
            pending = []
            reason = (
                f"change {change:+,.4g} within the minimum {floor:,.4g}"
                if abs(change) <= floor
                else f"{abs(score):.1f} noise units, threshold {threshold:g}"
            )
            verdicts.append(Verdict(value, expected, spread, score, False, None, reason, basis))
            continue
        same_level = (
            pending
            and (pending[-1][1] > 0) == (deviation > 0)
            and abs(deviation - statistics.median(d for _, d in pending)) <= threshold * model.sigma
        )
        excluded.add(i)
        if same_level:
            pending.append((i, deviation))
            if len(pending) >= confirm:
                start = pending[0][0]
                excluded.difference_update(j for j, _ in pending)
                carried = with_level(model, model.level + statistics.median(d for _, d in pending))
                reason = (
                    f"new level accepted: {len(pending)} values in a row near {_num(value)}"
                    f" (was {_num(expected)}); the baseline restarts from it"
                )
                pending = []
                verdicts.append(
                    Verdict(value, expected, spread, score, False, None, reason, basis, "new_level")
                )
            else:
                reason = f"possibly a new level ({len(pending)} of {confirm} values in a row)"
                verdicts.append(
                    Verdict(value, expected, spread, score, False, None, reason, basis, "possible_new_level")
                )
            continue
        pending = [(i, deviation)]
        size = f"{abs(score):.1f} noise units" if model.sigma > 0 else "it did not vary before"
        reason = f"{_num(value)}{unit} vs expected {_num(expected)}{unit} ({change:+,.4g}, {size})"
        if not watched:
            verdicts.append(
                Verdict(value, expected, spread, score, False, None, "direction not watched", basis)
            )
            continue
        verdicts.append(Verdict(value, expected, spread, score, True, way, reason, basis, "anomaly"))
    return verdicts


def _noise_from_all(
    model: Model,
    values: Sequence[float | None],
    ts: Sequence[float],
    wds: Sequence[int],
    scale: _Scale,
    start: int,
    i: int,
    window: int,
    pending: list[tuple[int, float]],
) -> Model:
    """The noise measured on every value of the level, flagged ones included (the median absolute
    deviation ignores a minority of real anomalies): measured only on the values that were not flagged,
    a table that happened to be calm for a week would stay 'calm' and flag its ordinary noise forever."""
    skip = {j for j, _ in pending}
    idx = [j for j in range(max(start, i - window), i)
           if j not in skip and values[j] is not None and not (scale.log and float(values[j]) <= 0)]  # type: ignore[arg-type]  # fmt: skip
    if len(idx) < 5:
        return model
    res = [scale.to(float(values[j])) - model.expected(ts[j], wds[j]) for j in idx]  # type: ignore[arg-type]
    centre = statistics.median(res)
    sigma = statistics.median(abs(r - centre) for r in res) * MAD_TO_SIGMA
    sigma *= 1.0 + 1.5 / math.sqrt(len(idx))
    return replace(model, sigma=max(model.sigma, sigma))


def _empty(values: Sequence[float | None], i: int, window: int, value: float) -> Verdict:
    recent = [float(v) for v in values[max(0, i - window) : i] if v is not None]
    empties = sum(1 for v in recent if v <= 0)
    if recent and empties * 2 >= len(recent):
        return Verdict(value, 0.0, None, None, False, None, f"usually empty ({empties} of {len(recent)} loads)",
                       "empty-table baseline")  # fmt: skip
    if not recent:
        return Verdict(value, None, None, None, False, None, "first value", "")
    return Verdict(value, statistics.median(recent), None, None, True, "drop",
                   f"empty load: 0 rows, {len(recent) - empties} of the last {len(recent)} loads had rows",
                   "empty load: always an anomaly unless the table is usually empty", "empty")  # fmt: skip


def _repeats_last_week(
    values: Sequence[float | None],
    ts: Sequence[float],
    weekdays: Sequence[int],
    i: int,
    scale: _Scale,
    model: Model,
    threshold: float,
) -> bool:
    """The value is as far from the baseline, on the same side, as the same weekday one or two weeks
    before was (either: one of them may itself have been an anomaly)."""
    band = threshold * model.sigma
    now = scale.to(float(values[i])) - model.expected(ts[i], weekdays[i])  # type: ignore[arg-type]
    for j in range(i - 1, -1, -1):
        gap = ts[i] - ts[j]
        if gap > 14.5:
            return False
        before = values[j]
        if min(abs(gap - 7), abs(gap - 14)) > 0.5 or before is None or (scale.log and before <= 0):
            continue
        then = scale.to(float(before)) - model.expected(ts[j], weekdays[j])
        if (then > 0) == (now > 0) and abs(then) > band / 2 and abs(now - then) <= band:
            return True
    return False


# -- kept for callers of the earlier API ------------------------------------------------------------
def robust_series(values: Sequence[float], **kwargs: object) -> list[bool]:
    """Flags for a whole series (index = day)."""
    return [v.anomaly for v in detect(values, **kwargs)]  # type: ignore[arg-type]


def robust_verdict(past: Sequence[float], value: float, **kwargs: object) -> Verdict:
    """The verdict on `value` after the values `past` (one a day, oldest first)."""
    return detect([*past, value], **kwargs)[-1]  # type: ignore[arg-type]


# -- the detectors the benchmark compares against --------------------------------------------------
def zscore_series(
    values: Sequence[float], sigmas: float = 3.0, min_history: int = 7, window: int = 30
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


def weekday_zscore_series(
    values: Sequence[float], sigmas: float = 3.0, weeks: int = 12, min_history: int = 3
) -> list[bool]:
    """Elementary-style day-of-week seasonality: each value against the mean and standard deviation of
    the same weekday over the previous `weeks` weeks (anomalies included), 3 sigma."""
    flags: list[bool] = []
    for i, value in enumerate(values):
        past = [values[j] for j in range(i - 7, max(-1, i - 7 * weeks - 1), -7) if j >= 0]
        if len(past) < min_history:
            flags.append(False)
            continue
        mean = statistics.fmean(past)
        std = statistics.pstdev(past)
        flags.append(abs(value - mean) > sigmas * std if std > 0 else value != mean)
    return flags
