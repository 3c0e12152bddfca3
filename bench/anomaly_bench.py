"""Anomaly detection benchmark: pef-gx's robust detector next to a plain 3-sigma z-score, in one run.

Synthetic per-run series like those the history store holds, with injected anomalies:
  volume      rows per run, 2 % noise and slow growth; injected drops (x0.2-0.7) and spikes (x1.5-3)
  static      a reference table (rows change by 0-3 per run); injected drops and spikes
  freshness   lag of the latest timestamp (hours, about 1-3); injected stale loads (+20-72 h, 1-3 runs)
  drift       volume that slowly declines 3 %/run for 15 runs; points more than 10 % below the level
              before the drift are anomalies
  weekly      daily event counts with 8 % noise and weekend dips (an unmodelled season), injected changes
              of 25-45 %: the hard case for both
A point is a true positive when the detector flags an injected point. Both detectors see the same series,
judge each point against the earlier ones (window 30, at least 5 past values). Run: python bench/anomaly_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pef_gx.observability.anomalies import robust_series, zscore_series
from pef_gx.observability.config import AnomalyConfig

LENGTH = 60
SERIES_PER_KIND = 200


def volume(rng: random.Random) -> tuple[list[float], list[bool]]:
    level = rng.uniform(1_000, 200_000)
    values, labels = [], []
    for i in range(LENGTH):
        base = level * (1 + 0.002 * i)
        value = base * (1 + rng.gauss(0, 0.02))
        label = False
        if i >= 10 and rng.random() < 0.06:
            value = base * (rng.uniform(0.2, 0.7) if rng.random() < 0.5 else rng.uniform(1.5, 3.0))
            label = True
        values.append(round(value))
        labels.append(label)
    return values, labels


def static(rng: random.Random) -> tuple[list[float], list[bool]]:
    level = rng.randint(20, 5_000)
    values, labels = [], []
    for i in range(LENGTH):
        level += rng.choice((0, 0, 0, 0, 1, 2, 3))
        value, label = level, False
        if i >= 10 and rng.random() < 0.06:
            value, label = (
                (
                    round(level * rng.uniform(0.2, 0.6))
                    if rng.random() < 0.5
                    else round(level * rng.uniform(1.6, 3))
                ),
                True,
            )
        values.append(value)
        labels.append(label)
    return values, labels


def freshness(rng: random.Random) -> tuple[list[float], list[bool]]:
    values, labels = [], []
    stale_left, extra = 0, 0.0
    for i in range(LENGTH):
        lag = 1 + abs(rng.gauss(0, 0.7))
        if stale_left == 0 and i >= 10 and rng.random() < 0.05:
            stale_left, extra = rng.randint(1, 3), rng.uniform(20, 72)
        label = stale_left > 0
        if label:
            lag += extra + 24 * (3 - stale_left)  # no new data: the lag keeps growing
            stale_left -= 1
        values.append(round(lag, 2))
        labels.append(label)
    return values, labels


def drift(rng: random.Random) -> tuple[list[float], list[bool]]:
    level = rng.uniform(5_000, 100_000)
    start = rng.randint(15, 35)
    values, labels = [], []
    for i in range(LENGTH):
        factor = 1 - 0.03 * min(max(i - start, 0), 15)
        values.append(round(level * factor * (1 + rng.gauss(0, 0.01))))
        labels.append(factor < 0.9)
    return values, labels


def weekly(rng: random.Random) -> tuple[list[float], list[bool]]:
    """Daily event counts, 8 % noise, weekends at 60 % (a pattern neither detector models); injected
    changes of 25-45 % (harder: close to the weekend dip and to the 10 % minimum change)."""
    level = rng.uniform(2_000, 50_000)
    values, labels = [], []
    for i in range(LENGTH):
        base = level * (0.6 if i % 7 in (5, 6) else 1.0)
        value, label = base * (1 + rng.gauss(0, 0.08)), False
        if i >= 10 and rng.random() < 0.06:
            change = rng.uniform(0.25, 0.45)
            value, label = base * (1 - change if rng.random() < 0.5 else 1 + change), True
        values.append(round(value))
        labels.append(label)
    return values, labels


KINDS = {"volume": volume, "static": static, "freshness": freshness, "drift": drift, "weekly": weekly}


def robust(kind: str, values: list[float]) -> list[bool]:
    config = AnomalyConfig()
    common = {"threshold": config.threshold, "window": config.window, "min_history": config.min_history}
    if kind == "freshness":
        return robust_series(
            values, min_abs_change=config.min_abs_lag_hours, direction="up", trend=False, **common
        )
    return robust_series(
        values, min_abs_change=config.min_abs_rows, min_rel_change=config.min_rel_change, **common
    )


def zscore(kind: str, values: list[float]) -> list[bool]:
    flags = zscore_series(values, sigmas=3.0, min_history=5, window=30)
    if kind == "freshness":  # fair to z: a fresher-than-usual load is never counted against it
        mean_before = [
            sum(values[max(0, i - 30) : i]) / max(1, len(values[max(0, i - 30) : i]))
            for i in range(len(values))
        ]
        flags = [f and v > m for f, v, m in zip(flags, values, mean_before, strict=True)]
    return flags


def score(pairs: list[tuple[list[bool], list[bool]]]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for flags, labels in pairs for f, label in zip(flags, labels, strict=True) if f and label)
    fp = sum(1 for flags, labels in pairs for f, label in zip(flags, labels, strict=True) if f and not label)
    fn = sum(1 for flags, labels in pairs for f, label in zip(flags, labels, strict=True) if label and not f)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main() -> None:
    rng = random.Random(20261126)
    start = time.perf_counter()
    rows = []
    totals: dict[str, list] = {"pef-gx robust (median/MAD)": [], "plain 3-sigma z-score": []}
    for kind, make in KINDS.items():
        series = [make(rng) for _ in range(SERIES_PER_KIND)]
        for name, detector in (("pef-gx robust (median/MAD)", robust), ("plain 3-sigma z-score", zscore)):
            pairs = [(detector(kind, values), labels) for values, labels in series]
            totals[name].extend(pairs)
            rows.append((kind, name, *score(pairs)))
    for name, pairs in totals.items():
        rows.append(("all", name, *score(pairs)))
    elapsed = time.perf_counter() - start
    print(
        f"anomaly benchmark: {len(KINDS)} kinds x {SERIES_PER_KIND} series x {LENGTH} runs, seed 20261126,"
        f" sensitivity {AnomalyConfig().sensitivity}"
    )
    print(
        f"{'series':<10} {'detector':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}"
    )
    for kind, name, precision, recall, tp, fp, fn in rows:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{kind:<10} {name:<28} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {tp:>5} {fp:>5} {fn:>5}")
    print(f"({elapsed:.1f}s)")


if __name__ == "__main__":
    main()
