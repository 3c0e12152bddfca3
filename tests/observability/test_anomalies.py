"""Volume and freshness anomalies: robust baseline, minimum change, past anomalies kept out, sensitivity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pef_gx.errors import ConfigError
from pef_gx.observability.anomalies import detect, robust_series, robust_verdict, zscore_series
from pef_gx.observability.config import load_config
from pef_gx.observability.history import open_store, record_run
from tests.observability.helpers import make_run, settings_for

M = "model.pef_shop.fct_orders"


def test_minimum_absolute_change_keeps_tiny_wobbles_quiet() -> None:
    past = [1000, 1000, 1000, 1001, 1000, 1000, 1000]
    assert not robust_verdict(past, 1003, min_abs_change=10).anomaly  # MAD 0: only the floor protects
    assert zscore_series([*past, 1003])[-1]  # the plain z-score cries wolf on 3 rows
    verdict = robust_verdict(past, 400, min_abs_change=10)
    assert verdict.anomaly and verdict.direction == "drop"


def test_a_spike_does_not_mask_the_next_anomaly() -> None:
    series = [100.0, 102, 98, 101, 99, 100, 103, 97, 5000, 101, 99, 40]
    robust = robust_series(series, min_abs_change=5)
    assert robust[8] and robust[11] and sum(robust) == 2
    # z-score keeps the spike in its mean and deviation: the drop to 40 goes unseen
    assert not zscore_series(series)[11]


def test_steady_growth_is_not_an_anomaly() -> None:
    growing = [1000 + 50 * i for i in range(25)]
    assert not any(robust_series([*growing, 1000 + 50 * 25]))
    assert robust_series([*growing, 600])[-1]


def test_sensitivity_changes_the_verdict() -> None:
    past = [100, 104, 96, 101, 99, 103, 97, 100, 102, 98, 101, 99, 100, 103]
    value = 112
    assert robust_verdict(past, value, threshold=2.5).anomaly
    assert not robust_verdict(past, value, threshold=5.0).anomaly


def test_freshness_watches_only_growing_lag() -> None:
    past = [1.0, 1.5, 1.2, 0.9, 1.1, 1.3, 1.0]
    lag = {"direction": "up", "trend": False, "log_scale": False}
    assert robust_verdict(past, 30.0, min_abs_change=6, **lag).anomaly
    assert not robust_verdict(past, 0.01, min_abs_change=0, **lag).anomaly


def test_not_enough_history_gives_no_verdict() -> None:
    verdict = robust_verdict([1, 2, 3], 1000, min_history=5)
    assert not verdict.anomaly and verdict.baseline is None and "need 5" in verdict.reason


def test_recorded_anomalies_are_flagged_and_kept_out_of_the_baseline(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, anomalies={"sensitivity": "high"})
    # a bad load, a day back to normal, another bad load, then normal: neither bad load enters a baseline
    counts = [1000, 1010, 990, 1005, 995, 1000, 1003, 50, 1001, 60, 1002]
    lags = [1.0, 1.2, 0.8, 1.1, 0.9, 1.0, 1.1, 1.0, 1.0, 49.0, 1.0]  # one stale load
    verdicts = []
    for i, (count, lag) in enumerate(zip(counts, lags, strict=True)):
        recorded = record_run(
            settings, make_run(i, {M: ("success", 1.0)}, rows={M: count}, lag_hours={M: lag})
        )
        verdicts.append({(m.metric): m.verdict for m in recorded.metrics})
    flags = [(v["rows"].anomaly, v["lag_hours"].anomaly) for v in verdicts]
    assert flags[7] == (True, False)
    assert flags[9] == (True, True)  # 60 is still judged against ~1000: the 50 stayed out of the baseline
    assert flags[10] == (False, False)
    assert verdicts[9]["rows"].baseline == pytest.approx(1000, rel=0.02)
    with open_store(settings) as store:
        rows = store.query("select run_id, anomaly from {s}metrics where metric = 'rows' order by run_id")
    assert [r["anomaly"] for r in rows] == [0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]


def test_bad_sensitivity_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sensitivity 'hihg' is unknown.*did you mean 'high'"):
        load_config(settings_for(tmp_path, anomalies={"sensitivity": "hihg"}))


# -- a detector that can be left on (issue 12) --------------------------------------------------------
VOLUME = {"min_abs_change": 10, "min_rel_change": 0.1}  # the product's defaults (AnomalyConfig)


def _days(n: int, level: float = 10_000, noise: float = 0.03, seed: int = 7) -> list[float]:
    import random

    rng = random.Random(seed)
    return [round(level * (1 + rng.gauss(0, noise))) for _ in range(n)]


def test_a_level_change_alerts_once_then_becomes_the_new_normal() -> None:
    series = _days(30) + [round(v * 1.6) for v in _days(20, seed=8)]
    verdicts = detect(series, **VOLUME)
    flags = [v.anomaly for v in verdicts]
    assert flags[30] and sum(flags) == 1  # the first day of the new level only
    assert verdicts[31].event == "possible_new_level"
    accepted = [v for v in verdicts if v.event == "new_level"]
    assert len(accepted) == 1 and "new level accepted" in accepted[0].reason
    # after the change a drop is still caught, judged against the new level
    assert detect([*series, 8_000], **VOLUME)[-1].anomaly


def test_weekends_are_not_anomalies_once_the_weekly_season_is_known() -> None:
    series = [v * (0.5 if i % 7 in (5, 6) else 1.0) for i, v in enumerate(_days(63))]
    verdicts = detect(series, **VOLUME)
    assert not any(v.anomaly for v in verdicts)
    assert re.match(r"weekday baseline: Saturdays [45],\d{3} \+- \d+, ", verdicts[61].basis)
    # a weekday at the weekend level is an anomaly (like is compared with like)
    assert detect([*series[:63], 5_000], **VOLUME)[-1].anomaly  # day 63 is a Monday


def test_an_empty_load_is_an_anomaly_unless_the_table_is_usually_empty() -> None:
    verdict = detect([*_days(10), 0], **VOLUME)[-1]
    assert verdict.anomaly and verdict.event == "empty" and "empty load" in verdict.reason
    usually_empty = [0, 0, 3, 0, 0, 0, 5, 0, 0, 0]
    assert not detect([*usually_empty, 0], **VOLUME)[-1].anomaly


def test_a_noisy_table_does_not_cry_wolf_but_a_halved_load_is_caught() -> None:
    series = _days(60, noise=0.12, seed=3)
    assert not any(v.anomaly for v in detect(series, **VOLUME))
    assert detect([*series, series[-1] * 0.4], **VOLUME)[-1].anomaly


def test_every_verdict_names_its_baseline() -> None:
    flat = detect([1000, 1010, 990, 1005, 995, 1000, 1003, 998, 1002, 997, 1001, 999])[-1]
    assert flat.basis.startswith("median baseline: ") and "+-" in flat.basis
    growing = detect([1000 * 1.02**i for i in range(20)])[-1]
    assert growing.basis.startswith("trend baseline: ") and "%/day" in growing.basis
    assert detect([1, 2])[-1].basis == "" and "need 7" in detect([1, 2])[-1].reason
