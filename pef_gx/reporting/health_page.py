"""The HTML health page (`pef-gx health --format html`), written beside Data Docs.

Takes the health report as plain data (HealthReport.to_dict()), so reporting does not depend on
observability. Offline: CSS of our own (html_base), inline SVG charts, no JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pef_gx.reporting.html_base import bar, card, esc, line_chart, page, table
from pef_gx.reporting.html_scores import trend_by_target
from pef_gx.reporting.site.charts import time_labels
from pef_gx.reporting.site.project import suite_for_node
from pef_gx.reporting.site.status import status as site_status

PAGE_NAME = "pef-gx-health.html"
# run and node statuses (dbt's and pef-gx's words) -> the site's five verdicts
_VERDICT = {"ok": "pass", "success": "pass", "pass": "pass", "warn": "warn", "failed": "fail",
            "fail": "fail", "error": "error", "runtime error": "error", "stale": "stale", "skipped": "stale"}  # fmt: skip


def _pill(value: object) -> str:
    key = _VERDICT.get(str(value).lower())
    if key is None:
        return f'<span class="st">{esc(value)}</span>'
    s = site_status(key)
    return f'<span class="st st-{s.key}" title="{esc(value)}">{esc(s.icon)} {esc(s.word)}</span>'


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _when(text: object) -> str:
    """2026-10-04T06:00:00.000000Z -> 2026-10-04 06:00 (UTC)."""
    return str(text or "")[:16].replace("T", " ")


def _rate_cell(rate: Mapping[str, Any]) -> str:
    return f"{bar(rate.get('success_rate'))}{esc(_pct(rate.get('success_rate')))}"


def _node_cell(node: Mapping[str, Any]) -> str:
    """The node's name, linked to its page in the site (seeds, snapshots and sources are not models)."""
    uid = str(node.get("unique_id") or "")
    if not uid:
        return esc(node.get("name", ""))
    return f'<a href="pef-gx-models/{esc(suite_for_node(uid))}.html">{esc(node.get("name", uid))}</a>'


def _section(title: str, html: str, anchor: str) -> str:
    return f'<h2 id="{esc(anchor)}">{esc(title)}</h2>\n{html}'


def _none(text: str) -> str:
    return f'<p class="muted">{esc(text)}</p>'


def render_health_page(report: Mapping[str, Any], docs_href: str | None = None) -> str:
    overall = report.get("overall") or {}
    nodes = report.get("nodes") or {}
    cards = "".join(
        [
            card(
                "runs",
                esc(report.get("runs", 0)),
                f"{_when(report.get('first_run'))} to {_when(report.get('last_run'))} UTC",
            ),
            card(
                "run success rate",
                esc(_pct(overall.get("success_rate"))),
                f"trend: {overall.get('trend') or 'n/a'}",
            ),
            card(
                "node success rate",
                esc(_pct(nodes.get("success_rate"))),
                f"{nodes.get('failed', 0)} failed executions",
            ),
            card(
                "regressions", esc(len(report.get("regressions") or [])), "slower than their rolling median"
            ),
            card("flapping checks", esc(len(report.get("flapping") or [])), "flip between pass and fail"),
            card("anomalies", esc(len(report.get("anomalies") or [])), "volume / freshness"),
        ]
    )
    parts = [f'<div class="cards">{cards}</div>']

    runs = report.get("recent_runs") or []
    rows = [
        [
            esc(r.get("run_id", ""))[:36],
            esc(_when(r.get("started_at"))),
            esc(r.get("command", "")),
            _pill(r.get("status")),
            esc(r.get("nodes_failed", 0)),
            esc(r.get("checks_failed", 0)),
            esc("" if r.get("score") is None else f"{float(r['score']):.1f}"),
            esc(f"{float(r.get('elapsed_s') or 0):.1f}s"),
        ]
        for r in runs
    ]
    parts.append(
        _section(
            "Recent runs",
            table(
                ["run", "started", "command", "status", "failed nodes", "failed checks", "score", "time"],
                rows,
                numeric=(4, 5, 6, 7),
            )
            if rows
            else _none("no runs recorded"),
            "runs",
        )
    )

    scores: Sequence[Mapping[str, Any]] = report.get("scores") or []
    if len(scores) > 1:
        targets = list(dict.fromkeys(str(s.get("target") or "") for s in scores))
        charts = []
        for target in targets:
            mine = [s for s in scores if str(s.get("target") or "") == target]
            chart = line_chart(
                time_labels([str(s.get("started_at", "")) for s in mine]),
                [("overall score", [float(s["score"]) for s in mine])],
            )
            charts.append(
                (target, chart if len(mine) > 1 else f'<p class="muted">One run on {esc(target)}.</p>')
            )
        parts.append(
            '<section class="trend">'
            + _section("Quality score trend", trend_by_target(targets, charts, targets[-1]), "scores")
            + "</section>"
        )

    models = report.get("models") or []
    rows = [
        [
            _node_cell(m),
            esc(str(m.get("unique_id") or "").split(".", 1)[0]),
            _rate_cell(m["rate"]),
            esc(m["rate"].get("trend") or "n/a"),
            _pill(m["last_status"]),
            esc(f"{m['median_time_s']:.2f}s"),
            esc(f"{m['latest_time_s']:.2f}s"),
        ]
        for m in models
    ]
    parts.append(
        _section(
            "Models, seeds and snapshots",
            table(
                ["node", "kind", "success rate", "trend", "last status", "median time", "latest time"],
                rows,
                numeric=(5, 6),
            )
            if rows
            else _none("no models"),
            "models",
        )
    )

    slow = report.get("slowest") or []
    rows = [
        [_node_cell(m), esc(f"{m['median_time_s']:.2f}s"), esc(f"{m['latest_time_s']:.2f}s")] for m in slow
    ]
    parts.append(
        _section(
            "Slowest models",
            table(["model", "median", "latest"], rows, numeric=(1, 2)) if rows else _none("no timings yet"),
            "slowest",
        )
    )

    regs = report.get("regressions") or []
    rows = [
        [
            esc(r["name"]),
            esc(f"{r['latest_s']:.2f}s"),
            esc(f"{r['baseline_s']:.2f}s"),
            esc(f"+{r['delta_s']:.2f}s"),
            esc(f"x{r['ratio']:.1f}"),
        ]
        for r in regs
    ]
    parts.append(
        _section(
            "Execution-time regressions",
            table(["model", "latest", "rolling median", "change", "ratio"], rows, numeric=(1, 2, 3, 4))
            if rows
            else _none("none: no model is slower than its rolling median by the minimum change"),
            "regressions",
        )
    )

    flaps = report.get("flapping") or []
    rows = [
        [esc(f["name"]), esc(f["source"]), esc(f["flips"]), f"<code>{esc(f['history'])}</code>"]
        for f in flaps
    ]
    parts.append(
        _section(
            "Flapping checks",
            table(["check", "kind", "flips", "history (oldest first)"], rows, numeric=(2,))
            if rows
            else _none("none"),
            "flapping",
        )
    )

    anomalies = report.get("anomalies") or []
    rows = [
        [
            esc(a["name"]),
            esc(a["metric"]),
            esc(f"{float(a['value']):g}"),
            esc("" if a.get("baseline") is None else f"{float(a['baseline']):g}"),
            esc(a["started_at"]),
        ]
        for a in anomalies
    ]
    parts.append(
        _section(
            "Volume and freshness anomalies",
            table(["relation", "metric", "value", "baseline", "run"], rows, numeric=(2, 3))
            if rows
            else _none("none"),
            "anomalies",
        )
    )

    hints = report.get("hints") or []
    rows = [[esc(h["kind"]), esc(h["name"]), esc(h["message"])] for h in hints]
    parts.append(
        _section(
            "Optimisation hints",
            table(["hint", "node", "why and what"], rows) if rows else _none("none"),
            "hints",
        )
    )

    links = [
        ("#models", "nodes"),
        ("#slowest", "slowest"),
        ("#regressions", "regressions"),
        ("#flapping", "flapping"),
        ("#anomalies", "anomalies"),
        ("#hints", "hints"),
    ]
    if docs_href:
        links.insert(0, (docs_href, "runs and Data Docs"))
    return page(
        "pef-gx pipeline health",
        "\n".join(parts),
        subtitle=f"{report.get('runs', 0)} runs, latest {_when(report.get('last_run')) or 'none'} UTC",
        links=links,
        page_key="health",
        project=str(report.get("project") or ""),
    )
