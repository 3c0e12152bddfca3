"""Root cause through real `pef-gx build`s of a copy of the sample project, broken in several ways.

One workspace, five builds in a row (syntax error, missing column, missing source table, failing
error-severity test, healthy again), so the same builds also show the history, alert deduplication
(one alert per failure until resolved, one on recovery) and webhook delivery, including a failing one.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import copy_workspace, run_cli
from tests.observability.webhook import Receiver

STG = "models/staging/stg_orders.sql"
EXPOSURE = """version: 2
exposures:
  - name: revenue_dashboard
    type: dashboard
    owner: {name: Finance, email: finance@example.com}
    depends_on: [ref('sales_daily'), ref('dim_customers')]
"""
BREAKS = {
    "syntax": (STG, "\nselect\n", "\nselec\n"),
    "column": (STG, "cast(order_date as date) as order_date", "cast(order_dte as date) as order_date"),
    "source": (
        "models/staging/_sources.yml",
        "      - name: raw_orders\n",
        "      - name: raw_orders\n        identifier: raw_orders_not_loaded\n",
    ),
    "test": (STG, "where version_rank = 1", "where version_rank >= 1"),
    "healthy": None,
}


def _edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    ws = copy_workspace(tmp_path_factory.mktemp("explain") / "ws")
    shutil.rmtree(ws / "suites", ignore_errors=True)  # dbt's side only: the GX checkpoint step skips
    (ws / "suites").mkdir()
    project = ws / "dbt_project"
    (project / "models" / "exposures.yml").write_text(EXPOSURE)
    _edit(
        project,
        "models/staging/_staging.yml",
        "  - name: stg_orders\n",
        "  - name: stg_orders\n    config:\n      meta: {owner: orders-team}\n",
    )
    outputs = {}
    with Receiver() as hook, Receiver(status=500) as broken:
        with (ws / "pef-gx.yml").open("a") as handle:
            handle.write(
                "alerts:\n  channels:\n"
                "    - {type: json_file, path: alerts/latest.json}\n"
                f"    - {{type: webhook, url: '{hook.url}', name: ops}}\n"
                f"    - {{type: slack, url: '{broken.url}', name: slack, owners: [orders-team]}}\n"
            )
        pristine = {rel: (project / rel).read_text() for rel in {b[0] for b in BREAKS.values() if b}}
        for name, change in BREAKS.items():
            for rel, text in pristine.items():
                (project / rel).write_text(text)
            if change:
                _edit(project, *change)
            build = run_cli("build", "--quiet", cwd=ws)
            explain = run_cli("explain", "--format", "json", cwd=ws)
            text = run_cli("explain", cwd=ws)
            alerts_file = ws / "alerts" / "latest.json"
            outputs[name] = {
                "build": build,
                "explain": json.loads(explain.stdout) if explain.stdout.strip() else None,
                "explain_rc": explain.returncode,
                "text": text.stdout,
                "alerts": json.loads(alerts_file.read_text()) if alerts_file.is_file() else None,
                "hook_posts": len(hook.bodies),
            }
            if alerts_file.is_file():
                alerts_file.unlink()
        outputs["hook"] = list(hook.bodies)
        outputs["broken"] = list(broken.bodies)
    outputs["ws"] = ws
    return outputs


def _root(out: dict) -> dict:
    roots = out["explain"]["root_causes"]
    assert len(roots) == 1, roots
    return roots[0]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "category", "words"),
    [
        ("syntax", "syntax", "fix the SQL syntax"),
        ("column", "missing_column", "column it references does not exist"),
        ("source", "missing_relation", "source shop.raw_orders"),
    ],
)
def test_broken_staging_model_is_the_root_cause(builds: dict, name: str, category: str, words: str) -> None:
    out = builds[name]
    assert out["build"].returncode == 1, out["build"].stdout + out["build"].stderr
    assert out["explain_rc"] == 1
    root = _root(out)
    assert root["failure"]["unique_id"] == "model.pef_shop.stg_orders"
    assert root["failure"]["category"] == category
    assert words in root["next_step"]
    assert root["owner"] == "orders-team"
    for blocked in ("fct_orders", "customer_lifetime_value", "dim_customers", "sales", "sales_daily"):
        assert f"model.pef_shop.{blocked}" in root["blocked"]
    assert "model.pef_shop.stg_customers" not in root["blocked"]  # a sibling, not downstream
    assert root["exposures"] == ["exposure.pef_shop.revenue_dashboard"]
    assert re.search(r"root cause 1: model stg_orders \(" + category, out["text"])
    assert "exposures affected: revenue_dashboard" in out["text"]


@pytest.mark.integration
def test_failing_error_test_is_a_data_test_failure(builds: dict) -> None:
    out = builds["test"]
    assert out["build"].returncode == 1
    root = _root(out)
    assert root["failure"]["name"] == "unique_stg_orders_order_id"
    assert root["failure"]["category"] == "data_test_failure"
    assert "--store-failures" in root["next_step"]
    assert root["owner"] == "orders-team"  # a test's owner is its model's


@pytest.mark.integration
def test_healthy_run_explains_nothing_and_old_runs_stay_explainable(builds: dict) -> None:
    out = builds["healthy"]
    assert out["build"].returncode == 0 and out["explain_rc"] == 0
    assert out["explain"]["ok"] and "no failures" in out["text"]
    health = run_cli("health", "--format", "json", cwd=builds["ws"])
    runs = json.loads(health.stdout)["recent_runs"]
    assert [r["status"] for r in runs] == ["warn", "failed", "failed", "failed", "failed"]
    first = run_cli("explain", runs[-1]["run_id"][:8], "--format", "json", cwd=builds["ws"])
    assert json.loads(first.stdout)["root_causes"][0]["failure"]["category"] == "syntax"
    missing = run_cli("explain", "no-such-run", cwd=builds["ws"])
    assert missing.returncode == 2 and "no run 'no-such-run'" in missing.stderr


@pytest.mark.integration
def test_alerts_fire_once_then_recover_once(builds: dict) -> None:
    def events(name: str) -> set[tuple[str, str]]:
        alerts = (builds[name]["alerts"] or {}).get("alerts", [])
        return {(a["event"], a["key"]) for a in alerts}

    model = "model_failure:model.pef_shop.stg_orders"
    assert ("firing", model) in events("syntax")
    assert events("column") == set() and events("source") == set()  # same failure: no new alert
    test_key = next(k for e, k in events("test") if e == "firing")
    assert test_key.startswith("check_failure:test.pef_shop.unique_stg_orders_order_id")
    assert ("resolved", model) in events("test")
    assert events("healthy") == {("resolved", test_key)}
    # the generic webhook got the same events; its payload names owner and run
    posted = [a for body in builds["hook"] for a in body["alerts"]]
    assert [a["event"] for a in posted if a["key"] == model] == ["firing", "resolved"]
    assert all(a["owner"] == "orders-team" for a in posted if a["key"] in (model, test_key))


@pytest.mark.integration
def test_failing_slack_webhook_is_reported_and_the_run_still_lands(builds: dict) -> None:
    # the Slack channel (HTTP 500) only gets alerts owned by orders-team, in Slack's payload shape
    assert builds["broken"] and all("blocks" in body and "text" in body for body in builds["broken"])
    conn = sqlite3.connect(builds["ws"] / ".pef-gx" / "history.sqlite")
    failed = conn.execute("select distinct error from alert_deliveries where channel = 'slack'").fetchall()
    ok = conn.execute("select count(*) from alert_deliveries where channel = 'ops' and ok = 1").fetchone()[0]
    runs = conn.execute("select count(*) from runs").fetchone()[0]
    conn.close()
    assert failed == [("HTTP 500 Internal Server Error",)]
    assert ok >= 3 and runs == 5
