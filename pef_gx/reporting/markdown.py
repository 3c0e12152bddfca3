"""Markdown renderer: the pull-request comment.

It starts with a hidden marker (MARKER) so CI finds and updates its one comment instead of adding one per
push. Names from the results are escaped: they are untrusted text in someone else's PR.
"""

from __future__ import annotations

import re

from pef_gx import __version__
from pef_gx.reporting.view import MAX_LISTED, CheckLine, ReportView

MARKER = "<!-- pef-gx-report -->"

_STATUS_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "💥", "stale": "⏸️"}


def md_escape(text: str) -> str:
    """Escape table pipes, HTML and markdown emphasis in a cell of untrusted text."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([*_`\[\]])", r"\\\1", text)


def _code(text: str, in_table: bool = False) -> str:
    """Inline code (GitHub shows it literally); a backtick cannot end it early, a pipe not end a cell."""
    text = text.replace("`", "'").replace("\n", " ")
    return "`" + (text.replace("|", "\\|") if in_table else text) + "`"


def _check_item(check: CheckLine) -> str:
    icon = _STATUS_ICON.get(check.status, "•")
    detail = f": {md_escape(check.detail)}" if check.detail else ""
    return (
        f"- {icon} {_code(check.label)} ({md_escape(check.dimension)}, {md_escape(check.severity)}){detail}"
    )


def _check_list(title: str, checks: list[CheckLine]) -> list[str]:
    if not checks:
        return []
    lines = ["", f"**{title} ({len(checks)})**", ""]
    lines += [_check_item(c) for c in checks[:MAX_LISTED]]
    if len(checks) > MAX_LISTED:
        lines.append(f"- … and {len(checks) - MAX_LISTED} more")
    return lines


def _check_docs_block(checks: list[CheckLine]) -> list[str]:
    """What each kind of failing check means and how to fix it (pef_gx.reporting.site.check_docs),
    folded so the comment stays short; one entry per check kind."""
    from pef_gx.reporting.site.check_docs import doc_for

    kinds = list(dict.fromkeys(c.kind for c in checks if c.kind and c.status in ("fail", "error", "warn")))
    if not kinds:
        return []
    lines = ["", "<details><summary>What these checks mean and how to fix them</summary>", ""]
    for kind in kinds[:MAX_LISTED]:
        doc = doc_for(kind)
        lines += [
            f"**{md_escape(kind)}**: {md_escape(doc.purpose)} Passing means: {md_escape(doc.passing)}",
            "",
        ]
        lines += [f"- Common cause: {md_escape(x)}" for x in doc.failures]
        lines += [f"- Fix: {md_escape(x)}" for x in doc.remediation]
        lines.append("")
    lines.append("</details>")
    return lines


def render_markdown(view: ReportView, version: str = __version__) -> str:
    change = ""
    if view.has_baseline and view.overall.delta_text:
        change = f" {view.overall.arrow} {view.overall.delta_text}".rstrip()
    lines = [MARKER, f"### Data quality: {view.overall.score_text}{change}", ""]
    if view.stale_models:
        lines += [f"> ⏸️ **{md_escape(view.stale_text)}.**", ">"]
        lines += [f"> - {_code(m.name)}: {md_escape(m.stale or '')}" for m in view.stale_models[:MAX_LISTED]]
        if len(view.stale_models) > MAX_LISTED:
            lines.append(f"> - … and {len(view.stale_models) - MAX_LISTED} more")
        lines.append("")

    headers = ["dimension", "score"]
    if view.has_baseline:
        headers.append("vs main")
    headers += ["checks", "failing", "models covered", "columns covered"]
    lines.append("| " + " | ".join(headers) + " |")
    aligns = ["---", "---:"] + (["---:"] if view.has_baseline else []) + ["---:", "---:", "---:", "---:"]
    lines.append("|" + "|".join(aligns) + "|")
    for row in [view.overall, *view.dimensions]:
        label = f"**{row.label}**" if row.key == "overall" else row.label
        score = f"**{row.score_text}**" if row.key == "overall" else row.score_text
        if row.score is None:
            score = f"_{row.score_text}_"
        cells = [label, score]
        if view.has_baseline:
            cells.append(f"{row.arrow} {row.delta_text}".strip() or "-")
        cells += [str(row.checks), str(row.failing), row.models_text, row.columns_text]
        lines.append("| " + " | ".join(cells) + " |")

    if view.has_baseline:
        lines += _check_list("Newly failing", view.newly_failing)
        lines += _check_list("Newly passing", view.newly_passing)
        if not view.newly_failing and not view.newly_passing:
            lines += ["", "No check changed its verdict against main."]
    else:
        lines += _check_list("Failing checks", view.failing)

    worst = [m for m in view.models if m.score is not None and m.score < 100.0][:5]
    if worst:
        lines += ["", "**Worst models**", ""]
        head = (
            "| model | score |"
            + (" vs main |" if view.has_baseline else "")
            + " checks | failing | columns covered |"
        )
        lines.append(head)
        lines.append("|---|---:|" + ("---:|" if view.has_baseline else "") + "---:|---:|---:|")
        for model in worst:
            cells = [_code(model.name, in_table=True), model.score_text]
            if view.has_baseline:
                cells.append(f"{model.arrow} {model.delta_text}".strip() or "-")
            cells += [str(model.checks), str(model.failing), model.columns_text]
            lines.append("| " + " | ".join(cells) + " |")
    unmeasured = len(view.unchecked_models)
    if unmeasured:
        lines += ["", f"{unmeasured} model(s) have no checks at all."]
    lines += _check_docs_block(view.newly_failing if view.has_baseline else view.failing)

    lines.append("")
    if view.docs_url:
        url = view.docs_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")
        lines.append(f"📄 [Data Docs and the scores page]({url}) (workflow artifact)")
    else:
        lines.append("📄 Data Docs and the scores page: the `data-docs` artifact of this workflow run.")
    footer = f"run {_code(view.run_id)} on {md_escape(view.target_type)}"
    if view.has_baseline:
        footer += f", compared with main run {_code(view.baseline_run_id or '')}"
        if view.added_checks or view.removed_checks:
            footer += f" ({view.added_checks} checks added, {view.removed_checks} removed)"
    lines += ["", f"<sub>pef-gx {version} · {footer}</sub>", ""]
    return "\n".join(lines)
