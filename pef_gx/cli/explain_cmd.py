"""`pef-gx explain`: why a run failed: error classes, root causes in the lineage, what they blocked."""

from __future__ import annotations

import json
from typing import Any

import typer

from pef_gx.cli.app import app

FORMATS = ("text", "json")


@app.command()
def explain(
    run_id: str | None = typer.Argument(None, help="Run id (or a unique prefix); default: the latest run."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> int:
    """Root-cause analysis of a recorded run: classify each error, find the earliest failed ancestor,
    list what it blocked downstream (models, tests, exposures) and the next step. Exit 1 when the run
    had failures.

    Example: pef-gx explain --format json
    """
    from pef_gx.cli.options import settings_from
    from pef_gx.errors import ConfigError, did_you_mean
    from pef_gx.observability import service

    if fmt not in FORMATS:
        raise ConfigError(
            f"unknown --format '{fmt}'", did_you_mean(fmt, FORMATS) or f"one of: {', '.join(FORMATS)}"
        )
    explanation = service.explain_run(settings_from(None), run_id)
    data = explanation.to_dict()
    if fmt == "json":
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        _text(data)
    return 0 if explanation.ok else 1


def _kinds(ids: list[str]) -> str:
    counts: dict[str, int] = {}
    for uid in ids:
        kind = uid.split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(counts.items())) or "nothing"


def _text(data: dict[str, Any]) -> None:
    from pef_gx.cli.console import console

    out = console()
    if data["ok"]:
        out.print(f"run {data['run_id']}: no failures")
        return
    out.print(
        f"run {data['run_id']}: {len(data['failures'])} failed node(s), {len(data['skipped'])} skipped,"
        f" {len(data['check_failures'])} failed error-severity check(s)"
    )
    for i, root in enumerate(data["root_causes"], 1):
        f = root["failure"]
        out.print(
            f"\n[bold]root cause {i}: {f['resource_type']} {f['name']}[/] ({f['category']}, status {f['status']})"
        )
        first = next((line.strip() for line in f["message"].splitlines() if line.strip()), "")
        detail = [line.strip() for line in f["message"].splitlines() if line.strip()][1:2]
        out.print(f"  error: {first}" + (f" | {detail[0]}" if detail else ""), markup=False)
        if root["owner"]:
            out.print(f"  owner: {root['owner']}", markup=False)
        models = [
            b.split(".")[-1] for b in root["blocked"] if b.split(".", 1)[0] in ("model", "seed", "snapshot")
        ]
        out.print(
            f"  blocked downstream: {_kinds(root['blocked'])}"
            + (f" (models: {', '.join(models)})" if models else ""),
            markup=False,
        )
        if root["exposures"]:
            out.print(
                f"  exposures affected: {', '.join(e.split('.')[-1] for e in root['exposures'])}",
                markup=False,
            )
        out.print(f"  next step: {root['next_step']}", markup=False)
    for check in data["check_failures"]:
        out.print(
            f"\ncheck failed: {check.get('kind')} on {check.get('node_name')} ({check.get('unexpected_count')} unexpected)",
            markup=False,
        )
        out.print(f"  next step: {check['next_step']}", markup=False)
