"""The expected value of one metric at one moment, from its recent history (pure numpy).

A `Model` is fitted on the baseline points of the current level (anomalies and unconfirmed level changes
left out): a Theil-Sen trend (median of pairwise slopes: steady growth is not news), a weekly season
(weekday medians of the detrended values, kept only when they explain the series and at least three
weeks are there), and a robust noise estimate (median absolute deviation of the residuals, widened for
small samples, so one quiet week does not make a noisy table look calm). Volume works on log values (a
drop to half is the same event at 100 and at 100,000 rows; a weekly season is a factor), freshness lag
on hours. A model fitted before a level change is carried into the new level (its noise, season and
slope) until the new level has history of its own.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

MAD_TO_SIGMA = 1.4826
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
SEASON_MIN_DAYS = 21  # three weeks before a weekly season is believed
SEASON_MIN_PER_DAY = 3  # ... and at least three values of each weekday
SEASON_GAIN = 0.75  # the season must cut the noise to this share of the flat model's noise
TREND_MIN_POINTS = 10
TREND_GAIN = 0.9  # a trend must cut the noise to this share of the flat model's noise


@dataclass(frozen=True)
class Model:
    level: float  # transformed value at t = 0 (intercept)
    slope: float  # per day, transformed units
    season: tuple[float, ...] | None  # 7 weekday offsets (Monday first), None: no weekly season
    sigma: float  # noise of one value, transformed units
    points: int  # baseline points it was fitted on
    carried: bool = False  # noise/season/slope inherited from the level before a change

    def expected(self, t: float, weekday: int) -> float:
        offset = self.season[weekday] if self.season else 0.0
        return self.level + self.slope * t + offset


@functools.lru_cache(maxsize=256)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, k=1)


def _theil_sen(ts: np.ndarray, ys: np.ndarray) -> float:
    i, j = _pairs(len(ts))
    dt = ts[j] - ts[i]
    ok = dt > 0
    return float(np.median((ys[j] - ys[i])[ok] / dt[ok])) if ok.any() else 0.0


def _mad_sigma(residuals: np.ndarray) -> float:
    if residuals.size == 0:
        return 0.0
    centre = np.median(residuals)
    return float(np.median(np.abs(residuals - centre)) * MAD_TO_SIGMA)


def _weekday_offsets(res: np.ndarray, wd: np.ndarray) -> np.ndarray:
    offsets = np.zeros(7)
    order = np.lexsort((res, wd))  # by weekday, then value: each weekday's values in a sorted run
    ordered = res[order]
    counts = np.bincount(wd, minlength=7)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    for day in np.flatnonzero(counts):
        lo, k = starts[day], counts[day]
        offsets[day] = (ordered[lo + (k - 1) // 2] + ordered[lo + k // 2]) / 2
    return offsets - offsets.mean()


def _loo_residuals(res: np.ndarray, wd: np.ndarray) -> np.ndarray:
    """Each value against the median of the OTHER values of its weekday: in-sample medians of three or
    four values would fit the noise and make a noisy table look calm (and its season look real)."""
    out = res.copy()
    for day in range(7):
        idx = np.flatnonzero(wd == day)
        m = idx.size - 1  # values left when one is taken out
        if m < 1:
            continue
        order = np.argsort(res[idx], kind="stable")
        ordered = res[idx][order]
        rank = np.empty(idx.size, dtype=int)
        rank[order] = np.arange(idx.size)

        # the k-th smallest of the others, for every value at once: skip the value's own rank
        mid = ordered[np.where(m // 2 < rank, m // 2, m // 2 + 1)]
        if m % 2 == 0:
            low = m // 2 - 1
            mid = (ordered[np.where(low < rank, low, low + 1)] + mid) / 2
        medians = mid
        out[idx] = res[idx] - medians
    return out


def _season_possible(ts: np.ndarray, wd: np.ndarray) -> bool:
    if ts.size == 0 or ts.max() - ts.min() < SEASON_MIN_DAYS - 1:
        return False
    counts = np.bincount(wd, minlength=7)
    return bool(counts.min() >= SEASON_MIN_PER_DAY)


def fit(
    ts: Sequence[float],
    ys: Sequence[float],
    weekdays: Sequence[int],
    *,
    trend: bool = True,
    season: bool = True,
    carried: Model | None = None,
) -> Model:
    """Fit the baseline points (oldest first). `carried`: the model of the previous level, whose noise,
    season and slope stand in for what the new level cannot estimate yet."""
    t = np.asarray(ts, dtype=float)
    y = np.asarray(ys, dtype=float)
    wd = np.asarray(weekdays, dtype=int)
    n = t.size
    use_trend = trend and n >= TREND_MIN_POINTS
    slope = carried.slope if carried else 0.0
    if use_trend:
        fitted = _theil_sen(t, y)
        # a slope that does not explain the values is noise: a flat median is the better baseline
        use_trend = _mad_sigma(y - fitted * t) < TREND_GAIN * _mad_sigma(y - slope * t)
        slope = fitted if use_trend else slope
    offsets: np.ndarray | None = None
    loo_sigma = 0.0
    if season and _season_possible(t, wd):
        flat_res = y - slope * t
        candidate = _weekday_offsets(flat_res - np.median(flat_res), wd)
        for _ in range(2):  # refine: trend on the deseasonalised values, season on the detrended ones
            if use_trend:
                slope = _theil_sen(t, y - candidate[wd])
            candidate = _weekday_offsets(y - slope * t, wd)
        flat_sigma = _mad_sigma(y - slope * t)
        loo = _loo_residuals(y - slope * t, wd)
        seasonal_sigma = _mad_sigma(loo)
        if seasonal_sigma < SEASON_GAIN * flat_sigma:
            offsets = candidate
            loo_sigma = seasonal_sigma
        elif use_trend:
            slope = _theil_sen(t, y)
    elif carried is not None and carried.season is not None:
        offsets = np.asarray(carried.season)
    shift = offsets[wd] if offsets is not None else np.zeros(n)
    level = float(np.median(y - slope * t - shift))
    residuals = y - slope * t - shift - level
    sigma = max(_mad_sigma(residuals), loo_sigma)
    own_noise = n >= 5
    if carried is not None and (not own_noise or n < carried.points // 2):
        sigma = max(sigma, carried.sigma)  # a young level has not shown its noise yet
    # The MAD of a few points is often far too small (and itself noisy): widen it the fewer points
    # there are. 2.0/sqrt(n): on noisy tables (8-16 % day-to-day) 1.5 left most false alarms in the
    # first 10-30 days (bench/anomaly_bench.py, two seeds).
    sigma *= 1.0 + 2.0 / math.sqrt(max(n, 1))
    season_out = tuple(float(v) for v in offsets) if offsets is not None else None
    return Model(level, float(slope), season_out, sigma, n, carried is not None and n < SEASON_MIN_DAYS)


def with_level(model: Model, level: float) -> Model:
    return replace(model, level=level)
