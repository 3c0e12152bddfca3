"""Alerts: conditions over the latest recorded run, deduplicated through the history store, sent to channels.

Conditions: model_failure, check_failure (error severity: dbt tests and GX checks), score_drop (beyond
`score_drop_points`), perf_regression, stale_data (freshness lag anomaly), volume_anomaly. A condition
that stays true alerts once (state 'firing' in the store) until a run evaluates it false, which sends one
recovery and sets it 'resolved'. Channels: console (returned for the CLI to print), json_file, webhook
(POST JSON), slack (Slack-compatible payload); a channel may be limited to some dbt `meta.owner`s.
A channel that fails (timeout, HTTP 500, refused) is reported in the result; it never stops the run.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.observability.config import AlertConfig, ChannelConfig, HealthConfig
from pef_gx.observability.health import _regressions
from pef_gx.observability.history import FAILED_NODE, StoredRun, utc_iso
from pef_gx.observability.lineage import Lineage
from pef_gx.observability.store import HistoryStore

BUILT = ("model", "seed", "snapshot")


@dataclass(frozen=True)
class Alert:
    key: str  # "<condition>:<subject>"
    condition: str
    subject: str  # node unique_id, check id, or "score"
    name: str
    severity: str  # error | warn
    message: str
    owner: str | None
    run_id: str
    event: str = "firing"  # firing | resolved

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Delivery:
    channel: str
    alert_keys: tuple[str, ...]
    ok: bool
    error: str | None = None


@dataclass
class AlertReport:
    run_id: str
    fired: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    suppressed: list[Alert] = field(default_factory=list)  # still firing, already alerted
    deliveries: list[Delivery] = field(default_factory=list)
    console: list[Alert] = field(default_factory=list)  # for the CLI to print

    @property
    def failures(self) -> list[Delivery]:
        return [d for d in self.deliveries if not d.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "fired": [a.to_dict() for a in self.fired],
            "resolved": [a.to_dict() for a in self.resolved],
            "suppressed": [a.to_dict() for a in self.suppressed],
            "deliveries": [asdict(d) for d in self.deliveries],
        }


def evaluate(
    run: StoredRun, previous: Sequence[StoredRun], lineage: Lineage, config: AlertConfig, health: HealthConfig
) -> tuple[list[Alert], set[str], dict[str, str]]:
    """(alerts true in `run`, keys evaluated in `run`: those not in the alerts are resolved, and what to
    say when one of them resolves for a reason other than recovery: a new level was accepted)."""
    alerts: list[Alert] = []
    evaluated: set[str] = set()
    notes: dict[str, str] = {}
    wanted = set(config.conditions)

    def add(
        condition: str,
        subject: str,
        name: str,
        severity: str,
        message: str,
        active: bool,
        owner_node: str | None = None,
    ) -> None:
        if condition not in wanted:
            return
        key = f"{condition}:{subject}"
        evaluated.add(key)
        if active:
            owner = lineage.owner(owner_node or subject)
            alerts.append(Alert(key, condition, subject, name, severity, message, owner, run.run_id))

    for uid, node in sorted(run.nodes.items()):
        rtype = uid.split(".", 1)[0]
        status = str(node["status"])
        if status == "skipped":
            continue
        name = lineage.name(uid)
        message = (node.get("message") or "").strip().splitlines()
        detail = message[0][:200] if message else status
        if rtype in BUILT:
            add(
                "model_failure", uid, name, "error", f"{rtype} {name} failed: {detail}", status in FAILED_NODE
            )
        elif rtype == "test":
            # dbt reports an error-severity test failure as 'fail' and a warn-severity one as 'warn'.
            add(
                "check_failure",
                uid,
                name,
                "error",
                f"dbt test {name} failed: {detail}",
                status in FAILED_NODE,
            )
    for cid, check in sorted(run.checks.items()):
        if check.get("severity") != "error":
            continue
        failed = check.get("status") in ("fail", "error")
        unexpected = check.get("unexpected_count")
        what = f"{check.get('kind')} on {check.get('node_name')}"
        extra = f" ({unexpected} unexpected)" if unexpected else ""
        add(
            "check_failure",
            cid,
            what,
            "error",
            f"check {what} failed{extra}",
            failed,
            str(check.get("node_id") or "") or None,
        )
    score = run.run.get("score")
    prior = next((p.run["score"] for p in reversed(previous) if p.run.get("score") is not None), None)
    if score is not None and prior is not None:
        drop = float(prior) - float(score)
        add(
            "score_drop",
            "score",
            "quality score",
            "warn",
            f"quality score dropped {drop:.1f} points ({float(prior):.1f} -> {float(score):.1f})",
            drop > config.score_drop_points,
        )
    if previous:
        slow = {r.unique_id: r for r in _regressions([*previous, run], health, lineage)}
        for uid, node in run.nodes.items():
            if uid.split(".", 1)[0] in BUILT and node["status"] in ("success", "pass"):
                reg = slow.get(uid)
                add(
                    "perf_regression",
                    uid,
                    lineage.name(uid),
                    "warn",
                    f"{lineage.name(uid)} took {reg.latest_s:.1f}s, median {reg.baseline_s:.1f}s"
                    if reg
                    else "",
                    reg is not None,
                )
    for (node_id, metric), row in sorted(run.metrics.items()):
        detail = json.loads(row.get("detail") or "{}")
        name = lineage.name(node_id)
        event = detail.get("event")
        # a possible new level keeps the alert of its first day open (no repeat); once the level is
        # accepted the alert closes saying so
        active = bool(row.get("anomaly")) or event == "possible_new_level"
        basis = f" [{detail['basis']}]" if detail.get("basis") else ""
        condition = "stale_data" if metric == "lag_hours" else "volume_anomaly"
        if event == "new_level":
            notes[f"{condition}:{node_id}"] = f"{name}: {detail.get('reason', 'new level accepted')}{basis}"
        if metric == "lag_hours":
            add(
                "stale_data",
                node_id,
                name,
                "warn",
                f"{name} is stale: latest data {float(row['value']):.1f} h old ({detail.get('reason', '')}){basis}",
                active,
            )
        elif metric == "rows":
            add(
                "volume_anomaly",
                node_id,
                name,
                "warn",
                f"{name} row count {detail.get('direction') or 'change'}: {detail.get('reason', '')}{basis}",
                active,
            )
    return alerts, evaluated, notes


def apply_dedup(
    store: HistoryStore,
    run_id: str,
    active: Sequence[Alert],
    evaluated: set[str],
    now: str | None = None,
    notes: dict[str, str] | None = None,
) -> AlertReport:
    """Decide what to send (firing once, recovery once) and update the state, in one transaction."""
    report = AlertReport(run_id)
    now = utc_iso(now)
    with store.transaction() as cur:
        rows = store._fetch(cur, "select alert_key, status, since_run, payload from {s}alert_state")
        state = {r[0]: (r[1], r[2], r[3]) for r in rows}
        active_keys = {a.key for a in active}
        for alert in active:
            previous = state.get(alert.key)
            still_firing = bool(previous and previous[0] == "firing")
            (report.suppressed if still_firing else report.fired).append(alert)
            since = previous[1] if still_firing else run_id  # a repeat keeps the run it started in
            store.set_alert_state(
                cur, alert.key, alert.condition, alert.subject, "firing", run_id, since, alert.to_dict(), now
            )
        for key, (status, since, payload) in sorted(state.items()):
            if status != "firing" or key in active_keys or key not in evaluated:
                continue
            old = json.loads(payload or "{}")
            recovered = Alert(
                key,
                old.get("condition", key.split(":", 1)[0]),
                old.get("subject", key.split(":", 1)[1]),
                old.get("name", key),
                "info",
                (notes or {}).get(key) or f"resolved: {old.get('message', key)}",
                old.get("owner"),
                run_id,
                "resolved",
            )
            report.resolved.append(recovered)
            store.set_alert_state(
                cur,
                key,
                recovered.condition,
                recovered.subject,
                "resolved",
                run_id,
                since,
                recovered.to_dict(),
                now,
            )
    return report


def _routed(channel: ChannelConfig, alerts: Sequence[Alert]) -> list[Alert]:
    if not channel.owners:
        return list(alerts)
    return [a for a in alerts if (a.owner or "") in channel.owners]


def payload(alerts: Sequence[Alert], run_id: str, project: str | None) -> dict[str, Any]:
    return {"source": "pef-gx", "project": project, "run_id": run_id, "alerts": [a.to_dict() for a in alerts]}


def slack_payload(alerts: Sequence[Alert], run_id: str, project: str | None) -> dict[str, Any]:
    firing = sum(1 for a in alerts if a.event == "firing")
    resolved = len(alerts) - firing
    title = f"pef-gx {project or ''}: {firing} alert(s), {resolved} resolved (run {run_id[:12]})"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for alert in alerts[:45]:  # Slack allows 50 blocks
        icon = (
            ":white_check_mark:"
            if alert.event == "resolved"
            else (":red_circle:" if alert.severity == "error" else ":warning:")
        )
        owner = f" (owner: {alert.owner})" if alert.owner else ""
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{icon} *{alert.condition}* {alert.message[:2500]}{owner}",
                },
            }
        )
    return {"text": title, "blocks": blocks}


def _post(url: str, body: dict[str, Any], timeout_s: float) -> str | None:
    """POST JSON; None when it worked, else the reason (never raises)."""
    data = json.dumps(body, sort_keys=True, default=str).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", "User-Agent": "pef-gx"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read(1024)
        return None
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return f"timed out after {timeout_s:g}s"
        return f"cannot reach the webhook: {reason}"
    except TimeoutError:
        return f"timed out after {timeout_s:g}s"
    except (OSError, ValueError) as exc:
        return f"{exc.__class__.__name__}: {exc}"


def _channel_url(channel: ChannelConfig) -> str | None:
    if channel.url:
        return channel.url
    return os.environ.get(channel.url_env or "") or None


def send(report: AlertReport, channels: Sequence[ChannelConfig], root: Path, project: str | None) -> None:
    """Deliver report.fired + report.resolved to every channel; record each outcome in report.deliveries."""
    events = [*report.fired, *report.resolved]
    if not events:
        return
    for channel in channels:
        alerts = _routed(channel, events)
        if not alerts:
            continue
        keys = tuple(a.key for a in alerts)
        error: str | None = None
        if channel.type == "console":
            report.console.extend(alerts)
        elif channel.type == "json_file":
            error = _write_json(root, channel.path or "alerts.json", payload(alerts, report.run_id, project))
        else:
            url = _channel_url(channel)
            if not url:
                error = f"{channel.url_env} is not set"
            else:
                body = (
                    slack_payload(alerts, report.run_id, project)
                    if channel.type == "slack"
                    else payload(alerts, report.run_id, project)
                )
                error = _post(url, body, channel.timeout_s)
        report.deliveries.append(Delivery(channel.name, keys, error is None, error))


def _write_json(root: Path, path_text: str, body: dict[str, Any]) -> str | None:
    path = Path(path_text)
    path = path if path.is_absolute() else root / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(body, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return None
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror}"


def record_deliveries(store: HistoryStore, report: AlertReport, now: str | None = None) -> None:
    events = {a.key: a.event for a in [*report.fired, *report.resolved]}
    now = utc_iso(now)
    with store.transaction() as cur:
        for delivery in report.deliveries:
            for key in delivery.alert_keys:
                store.add_delivery(
                    cur,
                    report.run_id,
                    key,
                    events.get(key, "firing"),
                    delivery.channel,
                    delivery.ok,
                    delivery.error,
                    now,
                )
