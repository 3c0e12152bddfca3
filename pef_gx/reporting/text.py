"""Console renderer: a plain, aligned text table (readable on a terminal and in CI logs)."""

from __future__ import annotations

from pef_gx.reporting.view import MAX_LISTED, ReportView


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(view: ReportView) -> str:
    out = [f"pef-gx scores: {view.project}, run {view.run_id} on {view.target_type}"]
    if view.has_baseline:
        out.append(f"baseline: run {view.baseline_run_id}")
    if view.stale_models:  # first: the scores below leave these models out
        out += ["", f"stale: {view.stale_text}"]
        out += [f"  {m.name}: {m.stale}" for m in view.stale_models[:MAX_LISTED]]
        if len(view.stale_models) > MAX_LISTED:
            out.append(f"  ... and {len(view.stale_models) - MAX_LISTED} more")
    out.append("")
    headers = ["dimension", "score"]
    if view.has_baseline:
        headers.append("change")
    headers += ["checks", "failing", "models covered", "columns covered"]
    rows = []
    for row in [view.overall, *view.dimensions]:
        cells = [row.label, row.score_text]
        if view.has_baseline:
            cells.append(f"{row.arrow} {row.delta_text}".strip())
        cells += [str(row.checks), str(row.failing), row.models_text, row.columns_text]
        rows.append(cells)
    score_cols = {1, 2, 3, 4} if view.has_baseline else {1, 2, 3}
    out += _table(headers, rows, score_cols)

    measured = [m for m in view.models if m.score is not None]
    if measured:
        out += ["", "worst models"]
        model_rows = [
            [m.name, m.score_text, str(m.checks), str(m.failing), m.columns_text]
            for m in measured[:MAX_LISTED]
        ]
        out += _table(["model", "score", "checks", "failing", "columns covered"], model_rows, {1, 2, 3})
    unmeasured = [m.name for m in view.unchecked_models]
    if unmeasured:
        out += ["", f"models without checks ({len(unmeasured)}): {', '.join(unmeasured)}"]
    if view.has_baseline:
        lists = [("newly failing", view.newly_failing), ("newly passing", view.newly_passing)]
    else:
        lists = [("failing checks", view.failing)]
    for title, checks in lists:
        if checks:
            out += ["", f"{title} ({len(checks)})"]
            out += [
                f"  {c.status:5} {c.label} [{c.dimension}, {c.severity}] {c.detail}".rstrip()
                for c in checks[:MAX_LISTED]
            ]
            if len(checks) > MAX_LISTED:
                out.append(f"  ... and {len(checks) - MAX_LISTED} more")
    return "\n".join(out) + "\n"
