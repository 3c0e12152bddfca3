"""`pef-gx alerts`: evaluate the alert conditions on a recorded run and send what is new or resolved."""

from __future__ import annotations

import json
from typing import Any

import typer

from pef_gx.cli.app import app


@app.command()
def alerts(
    run_id: str | None = typer.Argument(None, help="Run id (or a unique prefix); default: the latest run."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> int:
    """Send the alerts of a recorded run to the channels in pef-gx.yml (`alerts:`). A condition that
    stays true alerts once, then once more when it is resolved. `pef-gx build` and `pef-gx checkpoint`
    do this by themselves when pef-gx.yml has an `alerts:` section. Exit 1 when a channel failed.

    Example: pef-gx alerts --format json
    """
    from pef_gx.cli.options import settings_from
    from pef_gx.observability import service

    report = service.alerts_for_run(settings_from(None), run_id)
    if fmt == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        print_alert_report(report)
    return 1 if report.failures else 0


def print_alert_report(report: Any, err: bool = False) -> None:
    """Console channel and delivery failures (used by `pef-gx alerts`, and by build/checkpoint)."""
    from pef_gx.cli.console import console

    out = console(stderr=err)
    for alert in report.console:
        mark = "RESOLVED" if alert.event == "resolved" else alert.severity.upper()
        owner = f" [owner {alert.owner}]" if alert.owner else ""
        out.print(f"alert {mark} {alert.condition}: {alert.message}{owner}", markup=False)
    for delivery in report.failures:
        out.print(f"alert channel {delivery.channel} failed: {delivery.error}", markup=False)
    out.print(
        f"alerts: {len(report.fired)} new, {len(report.resolved)} resolved, {len(report.suppressed)} still firing"
        " (already sent)",
        markup=False,
    )


def print_history_result(result: Any, quiet: bool = False) -> None:
    """What `pef-gx build` prints for its history step (runner.history_step.HistoryStepResult)."""
    from pef_gx.cli.console import console

    out = console()
    if result.error:
        out.print(f"run history not recorded: {result.error}", markup=False)
        return
    recorded = result.outcome.recorded
    anomalies = recorded.anomalies
    if not quiet or anomalies:
        out.print(f"history: run {recorded.run_id} recorded in {recorded.store}", markup=False)
    for item in anomalies:
        out.print(f"  anomaly: {item.node_id} {item.metric}: {item.verdict.reason}", markup=False)
    if result.outcome.alerts is not None:
        print_alert_report(result.outcome.alerts)
