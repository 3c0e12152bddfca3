"""Volume and freshness anomalies: robust baseline, minimum change, past anomalies kept out, sensitivity."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.errors import ConfigError
from pef_gx.observability.anomalies import robust_series, robust_verdict, zscore_series
from pef_gx.observability.config import load_config
from pef_gx.observability.history import open_store, record_run
from tests.observability.helpers import make_run, settings_for

M = "model.pef_shop.fct_orders"


def test_minimum_absolute_change_keeps_tiny_wobbles_quiet() -> None:
    past = [1000, 1000, 1000, 1001, 1000, 1000]
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
    past = [100, 104, 96, 101, 99, 103, 97, 100]
    value = 109  # 3.0 robust sigmas (MAD 2 x 1.4826)
    assert robust_verdict(past, value, threshold=2.5).anomaly
    assert not robust_verdict(past, value, threshold=3.5).anomaly


def test_freshness_watches_only_growing_lag() -> None:
    past = [1.0, 1.5, 1.2, 0.9, 1.1, 1.3]
    assert robust_verdict(past, 30.0, min_abs_change=6, direction="up", trend=False).anomaly
    assert not robust_verdict(past, 0.01, min_abs_change=0, direction="up", trend=False).anomaly


def test_not_enough_history_gives_no_verdict() -> None:
    verdict = robust_verdict([1, 2, 3], 1000, min_history=5)
    assert not verdict.anomaly and verdict.baseline is None and "need 5" in verdict.reason


def test_recorded_anomalies_are_flagged_and_kept_out_of_the_baseline(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, anomalies={"sensitivity": "high"})
    counts = [1000, 1010, 990, 1005, 995, 1000, 50, 60, 1002]  # two bad loads, then back to normal
    lags = [1.0, 1.2, 0.8, 1.1, 0.9, 1.0, 1.0, 49.0, 1.0]  # one stale load
    verdicts = []
    for i, (count, lag) in enumerate(zip(counts, lags, strict=True)):
        recorded = record_run(
            settings, make_run(i, {M: ("success", 1.0)}, rows={M: count}, lag_hours={M: lag})
        )
        verdicts.append({(m.metric): m.verdict for m in recorded.metrics})
    flags = [(v["rows"].anomaly, v["lag_hours"].anomaly) for v in verdicts]
    assert flags[6] == (True, False)
    assert flags[7] == (True, True)  # 60 is still judged against ~1000: the 50 stayed out of the baseline
    assert flags[8] == (False, False)
    assert verdicts[7]["rows"].baseline == pytest.approx(1000, rel=0.02)
    with open_store(settings) as store:
        rows = store.query("select run_id, anomaly from {s}metrics where metric = 'rows' order by run_id")
    assert [r["anomaly"] for r in rows] == [0, 0, 0, 0, 0, 0, 1, 1, 0]


def test_bad_sensitivity_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sensitivity 'hihg' is unknown.*did you mean 'high'"):
        load_config(settings_for(tmp_path, anomalies={"sensitivity": "hihg"}))
