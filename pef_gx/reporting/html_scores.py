"""HTML renderer: the scores page of the pef-gx site (pef-gx-scores.html beside Data Docs), offline."""

from __future__ import annotations

from collections.abc import Sequence

from pef_gx.reporting.html_base import bar, card, esc, line_chart, page, pill, table
from pef_gx.reporting.site.charts import time_labels
from pef_gx.reporting.site.project import suite_for_node
from pef_gx.reporting.site.status import status
from pef_gx.reporting.view import CheckLine, ReportView, score_text
from pef_gx.scoring.history import TrendPoint

PAGE_NAME = "pef-gx-scores.html"


def _share(covered: int, total: int) -> float | None:
    return covered / total if total else None


def trend_by_target(targets: Sequence[str], charts: Sequence[tuple[str, str]], current: str) -> str:
    """One chart per engine/target, one shown at a time (a picker when there are several)."""
    if len(charts) == 1:
        return f'<div data-target="{esc(charts[0][0])}">{charts[0][1]}</div>'
    options = "".join(
        f'<option value="{esc(t)}"{" selected" if t == current else ""}>{esc(t)}</option>' for t in targets
    )
    return f'<p class="trend-pick"><label>engine/target <select>{options}</select></label></p>' + "".join(
        f'<div data-target="{esc(t)}">{html}</div>' for t, html in charts
    )


def _trend_html(points: Sequence[TrendPoint], dimensions: Sequence[str]) -> str:
    if len(points) < 2:
        return (
            '<p class="muted" id="trend-empty">The trend appears once there are two or more results files '
            "in <code>.pef-gx/results/</code>.</p>"
        )
    targets = list(dict.fromkeys(p.target for p in points))
    charts = []
    for target in targets:
        mine = [p for p in points if p.target == target]
        if len(mine) < 2:
            charts.append((target, f'<p class="muted">One run on {esc(target)} so far.</p>'))
            continue
        series: list[tuple[str, list[float | None]]] = [("overall", [p.overall for p in mine])]
        for dim in dimensions:
            values = [p.dimensions.get(dim) for p in mine]
            if any(v is not None for v in values):
                series.append((dim, values))
        charts.append((target, line_chart(time_labels([p.started_at for p in mine]), series)))
    rows = [
        [
            esc(p.started_at[:19].replace("T", " ")),
            f"<code>{esc(p.run_id)}</code>",
            esc(p.target),
            esc(score_text(p.overall)),
        ]
        for p in reversed(points)
    ]
    return (
        f'<div id="trend">{trend_by_target(targets, charts, points[-1].target)}</div>'
        f"<details><summary>runs ({len(points)})</summary>"
        f"{table(['started (UTC)', 'run', 'engine/target', 'overall'], rows, numeric=[3])}</details>"
    )


def _status_pill(key: str) -> str:
    s = status(key)
    return f'<span class="st st-{esc(s.key)}">{esc(s.icon)} {esc(s.word)}</span>'


def _check_cell(line: CheckLine) -> str:
    if not line.node_id:
        return f"<code>{esc(line.label)}</code>"
    href = f"pef-gx-models/{suite_for_node(line.node_id)}.html#check-{line.check_id}"
    return f'<a href="{esc(href)}"><code>{esc(line.label)}</code></a>'


def render_scores_page(
    view: ReportView, history: Sequence[TrendPoint] = (), data_docs_href: str | None = "index.html"
) -> str:
    overall = view.overall
    cards = [
        card(
            "overall",
            pill(overall.score_text, overall.color_hex),
            f"{overall.checks} checks, {overall.failing} failing",
        )
    ]
    cards += [
        card(row.label, pill(row.score_text, row.color_hex), f"{row.checks} checks, {row.failing} failing")
        for row in view.dimensions
    ]
    dim_rows = []
    for row in [view.overall, *view.dimensions]:
        cov = row.coverage
        dim_rows.append(
            [
                f"<b>{esc(row.label)}</b>" if row.key == "overall" else esc(row.label),
                pill(row.score_text, row.color_hex),
                str(row.checks),
                str(row.failing),
                bar(_share(cov.models_covered, cov.models_total)) + esc(row.models_text),
                bar(_share(cov.columns_covered, cov.columns_total)) + esc(row.columns_text),
            ]
        )
    dims = [r.key for r in view.dimensions if r.score is not None]
    model_rows = [
        [
            f"<code>{esc(m.name)}</code>",
            pill(m.score_text, m.color_hex),
            *(
                f'<span style="color:{esc(m.dimensions[d][1])}">{esc(m.dimensions[d][0])}</span>'
                if d in m.dimensions
                else '<span class="muted">-</span>'
                for d in dims
            ),
            str(m.checks),
            str(m.failing),
            esc(m.columns_text),
        ]
        for m in view.models
    ]
    failing_rows = [
        [
            _status_pill(c.status),
            _check_cell(c),
            esc(c.dimension),
            f'<span class="sev sev-{esc(c.severity)}">{esc(c.severity)}</span>',
            esc(c.detail),
        ]
        for c in view.failing
    ]
    body = [
        '<section id="summary"><div class="cards">' + "".join(cards) + "</div></section>",
        '<section id="dimensions"><h2>Dimensions</h2>'
        + table(
            ["dimension", "score", "checks", "failing", "models covered", "columns covered"], dim_rows, [2, 3]
        )
        + '<p class="muted">A dimension without checks is <i>not measured</i> (never 100). Coverage: share of '
        "models and columns with at least one check in the dimension.</p></section>",
        '<section id="trend-section"><h2>Trend</h2>'
        + _trend_html(history, [r.key for r in view.dimensions])
        + "</section>",
        '<section id="models"><h2>Models</h2>'
        + table(
            ["model", "score", *dims, "checks", "failing", "columns covered"],
            model_rows,
            list(range(2, len(dims) + 4)),
        )
        + "</section>",
        '<section id="failing"><h2>Checks not passing</h2>'
        + (
            table(["status", "check", "dimension", "severity", "detail"], failing_rows)
            if failing_rows
            else '<p class="muted">Every check passed.</p>'
        )
        + "</section>",
    ]
    links = [(data_docs_href, "runs and Data Docs")] if data_docs_href else []
    subtitle = f"{view.project} · run {view.run_id} on {view.target_type} · {view.started_at[:19].replace('T', ' ')} UTC"
    return page(
        f"Data quality scores: {view.project}",
        "\n".join(body),
        subtitle=subtitle,
        links=links,
        page_key="scores",
        project=view.project,
    )
