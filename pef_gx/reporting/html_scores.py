"""HTML renderer: the scores page of the pef-gx site (pef-gx-scores.html beside Data Docs), offline.

Laid out by templates/scores.html.j2 (autoescaped); the trend charts are inline SVG (html_base.line_chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from pef_gx.reporting.html_base import line_chart
from pef_gx.reporting.site.builder import render_page
from pef_gx.reporting.site.charts import time_labels
from pef_gx.reporting.site.project import suite_for_node
from pef_gx.reporting.site.status import status
from pef_gx.reporting.view import ReportView, score_text
from pef_gx.scoring.history import TrendPoint

PAGE_NAME = "pef-gx-scores.html"


def _share(covered: int, total: int) -> float | None:
    return covered / total if total else None


def trend_charts(
    points: Sequence[Any], series_of: Any, target_of: Any = lambda p: p.target
) -> list[tuple[str, Markup]]:
    """(engine/target, SVG chart) for each target among `points`: a trend shows one target at a time."""
    charts = []
    for target in dict.fromkeys(target_of(p) for p in points):
        mine = [p for p in points if target_of(p) == target]
        if len(mine) < 2:
            charts.append((target, Markup('<p class="muted">One run on {} so far.</p>').format(target)))
            continue
        chart = line_chart(time_labels([str(p.started_at) for p in mine]), series_of(mine))
        charts.append((target, Markup(chart)))  # built by line_chart, which escapes every text
    return charts


def _trend(points: Sequence[TrendPoint], dimensions: Sequence[str]) -> dict[str, Any] | None:
    if len(points) < 2:
        return None

    def series(mine: Sequence[TrendPoint]) -> list[tuple[str, list[float | None]]]:
        out: list[tuple[str, list[float | None]]] = [("overall", [p.overall for p in mine])]
        for dim in dimensions:
            values = [p.dimensions.get(dim) for p in mine]
            if any(v is not None for v in values):
                out.append((dim, values))
        return out

    return {
        "charts": trend_charts(points, series),
        "current": points[-1].target,
        "points": list(reversed(points)),
    }


def render_scores_page(
    view: ReportView, history: Sequence[TrendPoint] = (), data_docs_href: str | None = "index.html"
) -> str:
    started = view.started_at[:19].replace("T", " ")
    return render_page(
        "scores.html.j2",
        page_key="scores",
        project=view.project,
        title=f"Data quality scores: {view.project}",
        subtitle=f"{view.project} · run {view.run_id} on {view.target_type} · {started} UTC",
        crumbs=[(data_docs_href, "runs and Data Docs")] if data_docs_href else [],
        score_rows=[view.overall, *view.dimensions],
        share=_share,
        trend=_trend(history, [r.key for r in view.dimensions]),
        score_text=score_text,
        dims=[r.key for r in view.dimensions if r.score is not None],
        models=view.models,
        failing=view.failing,
        status=status,
        suite_for_node=suite_for_node,
        script=len({p.target for p in history}) > 1,
    )
