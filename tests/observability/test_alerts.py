"""Alert conditions, channels, routing by owner, dedup, and webhooks that fail (timeout, 500, refused)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

from pef_gx.observability.history import record_run
from pef_gx.observability.lineage import Lineage, NodeInfo
from pef_gx.observability.service import alerts_for_run
from tests.conftest import run_cli
from tests.observability.helpers import make_run, settings_for
from tests.observability.webhook import Receiver

STG = "model.pef_shop.stg_orders"
FCT = "model.pef_shop.fct_orders"
LINEAGE = Lineage(
    nodes={
        STG: NodeInfo(STG, "model", "stg_orders", owner="orders-team"),
        FCT: NodeInfo(FCT, "model", "fct_orders", owner="finance"),
    }
)


def _history(settings, last: dict, n: int = 8) -> None:
    """n normal runs, then the run described by `last`."""
    for i in range(n):
        record_run(
            settings,
            make_run(
                i,
                {STG: ("success", 2.0), FCT: ("success", 10.0)},
                {"gx-1": "pass"},
                rows={FCT: 1000 + i},
                lag_hours={FCT: 1.0},
            ),
            scores={"overall": 95.0},
        )
    record_run(
        settings,
        make_run(n, last["nodes"], last.get("checks"), rows=last.get("rows"), lag_hours=last.get("lag")),
        scores={"overall": last.get("score", 95.0)},
    )


def test_every_condition_fires_and_is_routed_by_owner(tmp_path: Path) -> None:
    with Receiver() as finance, Receiver() as everyone:
        settings = settings_for(
            tmp_path,
            alerts={
                "score_drop_points": 5,
                "channels": [
                    {"type": "console"},
                    {"type": "json_file", "path": "out/alerts.json"},
                    {"type": "webhook", "url": finance.url, "name": "finance", "owners": ["finance"]},
                    {"type": "slack", "url": everyone.url, "name": "slack"},
                ],
            },
        )
        _history(
            settings,
            {
                "nodes": {STG: ("error", 0.1), FCT: ("success", 25.0)},
                "checks": {"gx-1": "fail"},
                "rows": {FCT: 40},
                "lag": {FCT: 80.0},
                "score": 80.0,
            },
        )
        report = alerts_for_run(settings, lineage=LINEAGE)
    fired = {a.condition: a for a in report.fired}
    assert set(fired) == {
        "model_failure",
        "check_failure",
        "score_drop",
        "perf_regression",
        "stale_data",
        "volume_anomaly",
    }
    assert fired["model_failure"].owner == "orders-team" and fired["perf_regression"].subject == FCT
    assert "15.0 points (95.0 -> 80.0)" in fired["score_drop"].message
    assert "25.0s, median 10.0s" in fired["perf_regression"].message
    assert {a.key for a in report.console} == {a.key for a in report.fired}
    assert not report.failures
    # routing: the finance webhook got only finance's alerts; Slack got all, in Slack's shape
    assert {a["owner"] for a in finance.bodies[0]["alerts"]} == {"finance"}
    assert {a["condition"] for a in finance.bodies[0]["alerts"]} == {
        "perf_regression",
        "stale_data",
        "volume_anomaly",
    }
    slack = everyone.bodies[0]
    assert slack["text"].startswith("pef-gx pef_shop: 6 alert(s)") and len(slack["blocks"]) == 7
    written = json.loads((tmp_path / "out" / "alerts.json").read_text())
    assert written["run_id"] == "run-0008" and len(written["alerts"]) == 6


def test_repeat_alerts_once_then_recovery_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, alerts={"conditions": ["model_failure"]})
    nodes_bad, nodes_ok = {STG: ("error", 0.1)}, {STG: ("success", 0.1)}
    sequence = [nodes_bad, nodes_bad, {STG: ("skipped", 0.0)}, nodes_bad, nodes_ok, nodes_ok, nodes_bad]
    seen = []
    for i, nodes in enumerate(sequence):
        record_run(settings, make_run(i, nodes))
        report = alerts_for_run(settings)
        seen.append(([a.key for a in report.fired], [a.key for a in report.resolved], len(report.suppressed)))
    key = f"model_failure:{STG}"
    assert seen == [
        ([key], [], 0),
        ([], [], 1),
        ([], [], 0),
        ([], [], 1),
        ([], [key], 0),
        ([], [], 0),
        ([key], [], 0),
    ]


def _refused_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_webhook_timeout_500_and_refused_are_reported_not_raised(tmp_path: Path) -> None:
    with Receiver(delay_s=5) as slow, Receiver(status=500) as broken, Receiver() as fine:
        settings = settings_for(
            tmp_path,
            alerts={
                "channels": [
                    {"type": "webhook", "url": slow.url, "name": "slow", "timeout_s": 0.5},
                    {"type": "webhook", "url": broken.url, "name": "broken"},
                    {"type": "webhook", "url": f"http://127.0.0.1:{_refused_port()}/x", "name": "refused"},
                    {"type": "webhook", "url_env": "PEF_TEST_UNSET_HOOK", "name": "unset"},
                    {"type": "webhook", "url": fine.url, "name": "fine"},
                ]
            },
        )
        record_run(settings, make_run(0, {STG: ("error", 0.1)}))
        start = time.monotonic()
        report = alerts_for_run(settings)
        elapsed = time.monotonic() - start
        assert fine.bodies  # the channel after the failing ones still got its alert
    errors = {d.channel: d.error for d in report.failures}
    assert errors["slow"] == "timed out after 0.5s"
    assert errors["broken"] == "HTTP 500 Internal Server Error"
    assert errors["refused"].startswith("cannot reach the webhook")
    assert errors["unset"] == "PEF_TEST_UNSET_HOOK is not set"
    assert "fine" not in errors and elapsed < 4


def test_alerts_command_exit_codes_and_output(tmp_path: Path) -> None:
    with Receiver(status=500) as broken:
        (tmp_path / "pef-gx.yml").write_text(
            f"alerts:\n  channels:\n    - {{type: console}}\n    - {{type: webhook, url: '{broken.url}'}}\n"
        )
        record_run(settings_for(tmp_path, alerts={}), make_run(0, {STG: ("error", 0.1)}))
        result = run_cli("alerts", cwd=tmp_path)
        assert result.returncode == 1
        assert (
            "alert ERROR model_failure: model stg_orders failed: error in model.pef_shop.stg_orders"
            in result.stdout
        )
        assert "alert channel webhook failed: HTTP 500 Internal Server Error" in result.stdout
        again = run_cli("alerts", "--format", "json", cwd=tmp_path)
        assert again.returncode == 0  # nothing new to send: no delivery, no failure
        data = json.loads(again.stdout)
        assert data["fired"] == [] and len(data["suppressed"]) == 1


def test_bad_alert_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "pef-gx.yml").write_text("alerts:\n  channels:\n    - {type: webhok, url: http://x}\n")
    record_run(settings_for(tmp_path), make_run(0, {STG: ("error", 0.1)}))
    result = run_cli("alerts", cwd=tmp_path)
    assert result.returncode == 2 and "channel type 'webhok' is unknown" in result.stderr
    assert "did you mean 'webhook'" in result.stderr


def test_a_level_change_alerts_once_then_closes_as_a_new_level(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, alerts={"conditions": ["volume_anomaly"]})
    counts = [1000, 1012, 995, 1003, 990, 1008, 1001, 998, 1600, 1610, 1590, 1605, 1598]
    seen = []
    for i, count in enumerate(counts):
        record_run(settings, make_run(i, {FCT: ("success", 1.0)}, rows={FCT: count}))
        report = alerts_for_run(settings)
        seen.append((len(report.fired), len(report.resolved), len(report.suppressed)))
        if report.fired:
            assert (
                "vs expected 1,00" in report.fired[0].message
                and "median baseline: " in report.fired[0].message
            )
        if report.resolved:
            assert "new level accepted" in report.resolved[0].message
    assert seen[8] == (1, 0, 0)  # the first day of the new level
    assert seen[9] == (0, 0, 1)  # possibly a new level: the alert stays open, not repeated
    assert seen[10] == (0, 1, 0)  # the third day: accepted, the alert closes saying so
    assert all(s == (0, 0, 0) for s in seen[11:])
