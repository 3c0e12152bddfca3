"""`pef-gx health`: success rates and trends, slowest models, regressions, flapping checks, hints."""

from __future__ import annotations

import json
from typing import Any

import typer

from pef_gx.cli.app import app

FORMATS = ("text", "json", "html")


@app.command()
def health(
    since: str | None = typer.Option(
        None, "--since", help="Only runs since a date or a span: 7d, 12h, 2026-11-01."
    ),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or html (a page beside Data Docs)."),
) -> int:
    """Health of the pipeline over its recorded runs (from the run history, no warehouse query).

    Example: pef-gx health --since 7d --format html
    """
    from pef_gx.cli.options import settings_from
    from pef_gx.errors import ConfigError, did_you_mean
    from pef_gx.observability import service

    if fmt not in FORMATS:
        raise ConfigError(
            f"unknown --format '{fmt}'", did_you_mean(fmt, FORMATS) or f"one of: {', '.join(FORMATS)}"
        )
    settings = settings_from(None)
    report = service.health_report(settings, service.parse_since(since))
    data = report.to_dict()
    if fmt == "json":
        typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    elif fmt == "html":
        from pef_gx.reporting.health_page import render_health_page
        from pef_gx.reporting.service import write_atomic

        path = service.health_page_path(settings)
        docs = "index.html" if (path.parent / "index.html").is_file() else None
        write_atomic(path, render_health_page(data, docs))
        typer.echo(f"health page: {path}")
    else:
        _text(data)
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _text(data: dict[str, Any]) -> None:
    from rich.table import Table

    from pef_gx.cli.console import console

    out = console()

    def say(text: str) -> None:
        out.print(text, markup=False)

    overall, nodes = data["overall"], data["nodes"]
    say(f"{data['runs']} runs from {data['first_run']} to {data['last_run']}")
    say(
        f"runs succeeded: {_pct(overall['success_rate'])} ({overall['failed']} failed, trend {overall['trend'] or 'n/a'});"
        f" node executions succeeded: {_pct(nodes['success_rate'])} ({nodes['failed']} failed)"
    )
    if data.get("last_status"):
        say(f"latest run {data['last_run_id']}: {data['last_status']}")
    if data.get("stale"):
        say(
            f"stale in the latest run ({len(data['stale'])} model(s) not rebuilt, their checks not validated):"
        )
        for name, reason in sorted(data["stale"].items()):
            say(f"  {name}: {reason}")
    if data["models"]:
        table = Table(title="models")
        for col in ("model", "success", "trend", "last", "median s", "latest s"):
            table.add_column(col, justify="right" if col.endswith(" s") else "left")
        for m in data["models"]:
            table.add_row(
                m["name"],
                _pct(m["rate"]["success_rate"]),
                m["rate"]["trend"] or "n/a",
                m["last_status"],
                f"{m['median_time_s']:.2f}",
                f"{m['latest_time_s']:.2f}",
            )
        out.print(table)
    say(
        "slowest models: "
        + (", ".join(f"{m['name']} {m['median_time_s']:.2f}s" for m in data["slowest"]) or "none")
    )
    say("execution-time regressions:" + ("" if data["regressions"] else " none"))
    for r in data["regressions"]:
        say(f"  {r['name']}: {r['latest_s']:.2f}s vs median {r['baseline_s']:.2f}s (+{r['delta_s']:.2f}s)")
    say("flapping checks:" + ("" if data["flapping"] else " none"))
    for f in data["flapping"]:
        say(f"  {f['name']} ({f['source']}): {f['flips']} flips, {f['history']}")
    say("anomalies:" + ("" if data["anomalies"] else " none"))
    for a in data["anomalies"]:
        say(f"  {a['name']} {a['metric']} = {a['value']:g} (baseline {a['baseline']}) in run {a['run_id']}")
    say("hints:" + ("" if data["hints"] else " none"))
    for h in data["hints"]:
        say(f"  [{h['kind']}] {h['message']}")
