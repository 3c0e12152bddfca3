"""Small HTML pieces of the pef-gx site that are built in Python: `line_chart` (an inline SVG trend on an
axis fitted to the data), `page` (a trusted body inside the site's layout) and `esc`. The pages themselves
are Jinja2 templates (pef_gx/reporting/templates/), rendered by pef_gx.reporting.site.builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def page(
    title: str,
    body: str,
    subtitle: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    extra_css: str = "",
    page_key: str = "",
    project: str = "",
) -> str:
    """A complete HTML page of the pef-gx site (templates/layout.html.j2: shared navigation and style).
    `body` is trusted HTML built with `esc`; `links` are (href, text) shown under the title."""
    from markupsafe import Markup

    from pef_gx.reporting.site.builder import render_page

    html = render_page(
        "layout.html.j2",
        page_key=page_key,
        project=project,
        title=title,
        subtitle=subtitle or "",
        crumbs=list(links),
        body=Markup(body),
        script="trend-pick" in body,
    )
    if extra_css:
        html = html.replace("</style>", extra_css + "</style>", 1)
    return html


PALETTE = ("#0969da", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#bc4c00", "#57606a", "#1b7c83")


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    y_min: float | None = None,
    y_max: float | None = None,
    width: int = 720,
    height: int = 220,
    floor: float | None = 0.0,
    ceiling: float | None = 100.0,
    unit: str = "",
) -> str:
    """An inline SVG line chart (no JavaScript) with a legend; None values leave a gap. The y axis is
    fitted to the data (within [floor, ceiling]) unless y_min/y_max are given."""
    from pef_gx.reporting.site.charts import fitted_range

    fit_min, fit_max, step = fitted_range((v for _, vs in series for v in vs), floor, ceiling)
    y_min = fit_min if y_min is None else y_min
    y_max = fit_max if y_max is None else y_max
    left, right, top, bottom = 52, 44, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        span = (y_max - y_min) or 1.0
        return top + plot_h * (1 - (min(max(v, y_min), y_max) - y_min) / span)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="trend">'
    ]
    ticks = max(1, min(10, round((y_max - y_min) / step))) if step else 4
    for tick in range(ticks + 1):
        v = y_min + (y_max - y_min) * tick / ticks
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d1d9e0"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{round(v, 6):g}{esc(unit)}</text>'
        )
    label_step = max(1, n // 8)
    for i in range(0, n, label_step):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">{esc(labels[i])}</text>')
    legend = []
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        segments: list[list[str]] = [[]]
        name = str(name)
        for i, v in enumerate(values):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(points)}"/>'
                )
            for point in points:
                cx, cy = point.split(",")
                parts.append(
                    f'<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"><title>{esc(name)}</title></circle>'
                )
        legend.append(f'<span><i style="background:{color}"></i>{esc(name)}</span>')
    parts.append("</svg>")
    return "".join(parts) + f'<div class="legend">{"".join(legend)}</div>'
