"""Anomaly detection benchmark: pef-gx next to a 3-sigma z-score and a day-of-week z-score, in one run.

Daily series in the shapes real pipelines show; every series draws its own length (30-120 days), level,
noise, season amplitude and growth rate, so nothing is tuned to one set of numbers:

  steady        flat volume, 1-4 % noise
  growth        +0.3 to +3 % a day, 1-4 % noise
  weekly        weekends at 30-80 % of weekdays (sometimes a busy Monday), 2-8 % noise, growth 0-1 %/day
  noisy         12 % noise on average (8-16 %), sometimes slow growth
  level_change  one or two lasting changes (x1.5-2.5 or x0.35-0.65) at a random day, 1-5 % noise; only
                the first day of each change is labelled an anomaly: the days after it are the new normal
  freshness     (extra) lag of the newest row in hours, 1-3 h, a few weekend-free schedules; stale loads

Injected on about 5 % of the days from day 14 on (never two days in a row): drops to 0, to 30 % and to
50 % of the expected value, spikes x2 and x3 (freshness: stale loads +20-72 h). A flag on a labelled
point is a true positive, a flag elsewhere a false positive. Every detector sees the same series and
judges each day against the days before it.

Run: python bench/anomaly_bench.py [--seed N] [--series N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pef_gx.observability.anomalies import detect, weekday_zscore_series, zscore_series
from pef_gx.observability.config import AnomalyConfig

Series = tuple[list[float], list[bool], int]  # values, labels, weekday of day 0
INJECTIONS = ((0.0, "to 0"), (0.3, "to 30 %"), (0.5, "to 50 %"), (2.0, "x2"), (3.0, "x3"))


def _inject(rng: random.Random, expected: list[float], values: list[float], labels: list[bool],
            blocked: set[int]) -> None:  # fmt: skip
    last = -2
    for i in range(14, len(values)):
        if i in blocked or i - last < 2 or rng.random() >= 0.05:
            continue
        factor, _ = rng.choice(INJECTIONS)
        values[i] = round(expected[i] * factor * (1 + rng.gauss(0, 0.01)))
        labels[i] = True
        last = i


def _volume(rng: random.Random, noise: float, growth: float, weekend: float = 1.0, monday: float = 1.0,
            changes: tuple[tuple[int, float], ...] = ()) -> Series:  # fmt: skip
    length = rng.randint(30, 120)
    level = 10 ** rng.uniform(2.3, 6)
    start_wd = rng.randrange(7)
    expected, values, labels = [], [], []
    factor = 1.0
    blocked: set[int] = set()
    for i in range(length):
        for day, change in changes:
            if i == day:
                factor *= change
        wd = (start_wd + i) % 7
        season = weekend if wd >= 5 else (monday if wd == 0 else 1.0)
        base = level * (1 + growth) ** i * season * factor
        expected.append(base)
        values.append(round(max(base * (1 + rng.gauss(0, noise)), 1)))
        labels.append(False)
    for day, _ in changes:
        if day < length:
            labels[day] = True  # the first day of a new level is news, the next ones are not
            blocked.update(range(day - 1, day + 5))
    _inject(rng, expected, values, labels, blocked)
    return values, labels, start_wd


def steady(rng: random.Random) -> Series:
    return _volume(rng, rng.uniform(0.01, 0.04), 0.0)


def growth(rng: random.Random) -> Series:
    return _volume(rng, rng.uniform(0.01, 0.04), rng.uniform(0.003, 0.03))


def weekly(rng: random.Random) -> Series:
    monday = rng.uniform(1.1, 1.4) if rng.random() < 0.3 else 1.0
    return _volume(rng, rng.uniform(0.02, 0.08), rng.choice((0.0, rng.uniform(0, 0.01))),
                   weekend=rng.uniform(0.3, 0.8), monday=monday)  # fmt: skip


def noisy(rng: random.Random) -> Series:
    return _volume(rng, rng.uniform(0.08, 0.16), rng.choice((0.0, 0.0, rng.uniform(0, 0.01))))


def level_change(rng: random.Random) -> Series:
    def change() -> float:
        return rng.uniform(1.5, 2.5) if rng.random() < 0.5 else rng.uniform(0.35, 0.65)

    first = rng.randint(14, 40)
    changes = [(first, change())]
    if rng.random() < 0.4:
        changes.append((first + rng.randint(14, 40), change()))
    return _volume(rng, rng.uniform(0.01, 0.05), rng.choice((0.0, rng.uniform(0, 0.01))),
                   changes=tuple(changes))  # fmt: skip


def freshness(rng: random.Random) -> Series:
    length = rng.randint(30, 120)
    start_wd = rng.randrange(7)
    no_weekend = rng.random() < 0.3  # no loads on weekends: the lag grows over Saturday and Sunday
    values, labels = [], []
    stale_left, extra = 0, 0.0
    for i in range(length):
        wd = (start_wd + i) % 7
        lag = 1 + abs(rng.gauss(0, rng.uniform(0.3, 1.0)))
        if no_weekend and wd in (5, 6):
            lag += 24 * (wd - 4)
        if stale_left == 0 and i >= 14 and rng.random() < 0.05:
            stale_left, extra = rng.randint(1, 3), rng.uniform(20, 72)
        label = stale_left > 0
        if label:
            lag += extra + 24 * (3 - stale_left)  # no new data: the lag keeps growing
            stale_left -= 1
        values.append(round(lag, 2))
        labels.append(label)
    return values, labels, start_wd


SHAPES: dict[str, Callable[[random.Random], Series]] = {
    "steady": steady, "growth": growth, "weekly": weekly, "noisy": noisy, "level_change": level_change,
}  # fmt: skip
EXTRA = {"freshness": freshness}


def pef_gx(shape: str, values: list[float], start_wd: int) -> list[bool]:
    config = AnomalyConfig()
    weekdays = [(start_wd + i) % 7 for i in range(len(values))]
    common = {"threshold": config.threshold, "window": config.window, "min_history": config.min_history}
    if shape == "freshness":
        verdicts = detect(values, weekdays=weekdays, min_abs_change=config.min_abs_lag_hours,
                          direction="up", log_scale=False, trend=False, **common)  # fmt: skip
    else:
        verdicts = detect(values, weekdays=weekdays, min_abs_change=config.min_abs_rows,
                          min_rel_change=config.min_rel_change, **common)  # fmt: skip
    return [v.anomaly for v in verdicts]


def _upward_only(shape: str, values: list[float], flags: list[bool]) -> list[bool]:
    if shape != "freshness":
        return flags
    # fair to the z-scores: a fresher-than-usual load is never counted against them
    means = [
        sum(values[max(0, i - 30) : i]) / max(1, len(values[max(0, i - 30) : i])) for i in range(len(values))
    ]
    return [f and v > m for f, v, m in zip(flags, values, means, strict=True)]


def zscore(shape: str, values: list[float], start_wd: int) -> list[bool]:
    return _upward_only(shape, values, zscore_series(values, sigmas=3.0, min_history=7, window=30))


def weekday_z(shape: str, values: list[float], start_wd: int) -> list[bool]:
    return _upward_only(shape, values, weekday_zscore_series(values, sigmas=3.0))


DETECTORS = {"pef-gx": pef_gx, "3-sigma z-score": zscore, "day-of-week z-score": weekday_z}


def score(pairs: list[tuple[list[bool], list[bool]]]) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for flags, labels in pairs:
        for flag, label in zip(flags, labels, strict=True):
            tp += flag and label
            fp += flag and not label
            fn += label and not flag
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def run(seed: int, per_shape: int) -> list[tuple[str, str, float, float, int, int, int]]:
    rng = random.Random(seed)
    rows = []
    totals: dict[str, list] = {name: [] for name in DETECTORS}
    for shape, make in {**SHAPES, **EXTRA}.items():
        series = [make(rng) for _ in range(per_shape)]
        for name, detector in DETECTORS.items():
            pairs = [(detector(shape, values, wd), labels) for values, labels, wd in series]
            if shape in SHAPES:
                totals[name].extend(pairs)
            rows.append((shape, name, *score(pairs)))
    for name, pairs in totals.items():
        rows.append(("overall", name, *score(pairs)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--series", type=int, default=150, help="series per shape")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = run(args.seed, args.series)
    elapsed = time.perf_counter() - start
    print(f"anomaly benchmark: {len(SHAPES)} shapes (+ freshness) x {args.series} series of 30-120 days,"
          f" seed {args.seed}, sensitivity {AnomalyConfig().sensitivity}")  # fmt: skip
    print(f"{'shape':<13} {'detector':<20} {'precision':>9} {'recall':>7} {'TP':>5} {'FP':>5} {'FN':>5}")
    for shape, name, precision, recall, tp, fp, fn in rows:
        print(f"{shape:<13} {name:<20} {precision:>9.3f} {recall:>7.3f} {tp:>5} {fp:>5} {fn:>5}")
    print("overall = the five volume shapes; freshness is listed on its own")
    print(f"({elapsed:.1f}s)")


if __name__ == "__main__":
    main()
