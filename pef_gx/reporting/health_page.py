"""The HTML health page (`pef-gx health --format html`, and the site's pef-gx-health.html).

Takes the health report as plain data (HealthReport.to_dict()), so reporting does not depend on
observability. Laid out by templates/health.html.j2 (autoescaped); inline SVG trend charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from pef_gx.reporting.html_scores import trend_charts
from pef_gx.reporting.site.builder import render_page
from pef_gx.reporting.site.project import suite_for_node
from pef_gx.reporting.site.status import status as site_status

PAGE_NAME = "pef-gx-health.html"
# run and node statuses (dbt's and pef-gx's words) -> the site's five verdicts
_VERDICT = {"ok": "pass", "success": "pass", "pass": "pass", "warn": "warn", "failed": "fail",
            "fail": "fail", "error": "error", "runtime error": "error", "stale": "stale", "skipped": "stale"}  # fmt: skip


def _verdict(value: object) -> Markup:
    key = _VERDICT.get(str(value).lower())
    if key is None:
        return Markup('<span class="st">{}</span>').format(value)
    s = site_status(key)
    return Markup('<span class="st st-{}" title="{}">{} {}</span>').format(s.key, value, s.icon, s.word)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _when(text: object) -> str:
    """2026-10-04T06:00:00.000000Z -> 2026-10-04 06:00 (UTC)."""
    return str(text or "")[:16].replace("T", " ")


class _Point:
    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.started_at = str(entry.get("started_at", ""))
        self.score = float(entry["score"])
        self.target = str(entry.get("target") or "")


def render_health_page(report: Mapping[str, Any], docs_href: str | None = None) -> str:
    points = [_Point(s) for s in report.get("scores") or []]
    trend = None
    if len(points) > 1:
        charts = trend_charts(points, lambda mine: [("overall score", [p.score for p in mine])])
        trend = {"charts": charts, "current": points[-1].target}
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
    return render_page(
        "health.html.j2",
        page_key="health",
        project=str(report.get("project") or ""),
        title="pef-gx pipeline health",
        subtitle=f"{report.get('runs', 0)} runs, latest {_when(report.get('last_run')) or 'none'} UTC",
        crumbs=links,
        r=report,
        overall=report.get("overall") or {},
        nodes=report.get("nodes") or {},
        trend=trend,
        when=_when,
        pct=_pct,
        verdict=_verdict,
        suite_for_node=suite_for_node,
        script=len({p.target for p in points}) > 1,
    )
