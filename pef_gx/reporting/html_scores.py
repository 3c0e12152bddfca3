"""HTML renderer: the scores page written beside Data Docs (offline, our own CSS, no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence

from pef_gx.reporting.html_base import bar, card, esc, line_chart, page, pill, table
from pef_gx.reporting.view import ReportView, score_text
from pef_gx.scoring.history import TrendPoint

PAGE_NAME = "pef-gx-scores.html"


def _share(covered: int, total: int) -> float | None:
    return covered / total if total else None


def _trend_html(points: Sequence[TrendPoint], dimensions: Sequence[str]) -> str:
    if len(points) < 2:
        return (
            '<p class="muted" id="trend-empty">The trend appears once there are two or more results files '
            "in <code>.pef-gx/results/</code>.</p>"
        )
    labels = [p.started_at[5:16].replace("T", " ") for p in points]
    series: list[tuple[str, list[float | None]]] = [("overall", [p.overall for p in points])]
    for dim in dimensions:
        values = [p.dimensions.get(dim) for p in points]
        if any(v is not None for v in values):
            series.append((dim, values))
    rows = [
        [
            esc(p.started_at[:19].replace("T", " ")),
            f"<code>{esc(p.run_id)}</code>",
            esc(score_text(p.overall)),
        ]
        for p in reversed(points)
    ]
    return (
        f'<div id="trend">{line_chart(labels, series)}</div>'
        f"<details><summary>runs ({len(points)})</summary>"
        f"{table(['started (UTC)', 'run', 'overall'], rows, numeric=[2])}</details>"
    )


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
            pill("stale", m.color_hex) if m.stale else pill(m.score_text, m.color_hex),
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
        [esc(c.status), f"<code>{esc(c.label)}</code>", esc(c.dimension), esc(c.severity), esc(c.detail)]
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
        + (f'<p class="muted">{esc(view.stale_text)}.</p>' if view.stale_text else "")
        + "</section>",
        '<section id="failing"><h2>Failing checks</h2>'
        + (
            table(["status", "check", "dimension", "severity", "detail"], failing_rows)
            if failing_rows
            else '<p class="muted">Every check passed.</p>'
        )
        + "</section>",
    ]
    links = [(data_docs_href, "Data Docs")] if data_docs_href else []
    subtitle = f"{view.project} · run {view.run_id} on {view.target_type} · {view.started_at[:19].replace('T', ' ')} UTC"
    return page(f"Data quality scores: {view.project}", "\n".join(body), subtitle=subtitle, links=links)
