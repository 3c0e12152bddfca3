"""`pef-gx build`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from pef_gx.cli import options
from pef_gx.cli.app import app
from pef_gx.cli.console import console, interactive, node_progress

_STATUS_STYLE = {
    "success": "green",
    "pass": "green",
    "warn": "yellow",
    "fail": "red",
    "error": "red",
    "runtime error": "red",
    "skipped": "dim",
}


@app.command()
def build(
    project_dir: Path | None = options.ProjectDir,
    profiles_dir: Path | None = options.ProfilesDir,
    target: str | None = options.Target,
    select: list[str] | None = options.Select,
    exclude: list[str] | None = options.Exclude,
    wait: float | None = options.Wait,
    quiet: bool = options.Quiet,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List passing tests too."),
) -> int:
    """Run `dbt build`, then the GX checkpoint and the run history, and print a per-node summary.

    The summary lists every model, seed and snapshot, and each test that did not pass (all tests
    with --verbose). Exit 1 when a model or an error-severity check fails.

    Example: pef-gx build --target postgres --select staging
    """
    from pef_gx.runner.build import build as run_build
    from pef_gx.runner.post_run import default_post_run_steps

    settings = options.settings_from(project_dir, profiles_dir, target, wait)
    steps = default_post_run_steps(settings, on_wait=options.warn_waiting)
    with node_progress(interactive() and not quiet, "dbt build") as on_node:
        outcome = run_build(settings, select or (), exclude or (), post_run_steps=steps, on_node=on_node)
    out = console()
    results = outcome.run_results.results if outcome.run_results else ()
    if not quiet and results:
        from rich.table import Table

        out.print(f"dbt build on {outcome.target.describe()}")
        table = Table()
        for column in ("type", "node", "status", "time", "message"):
            table.add_column(column, justify="right" if column == "time" else "left")
        for result in results:
            if result.resource_type == "test" and result.status == "pass" and not verbose:
                continue
            style = _STATUS_STYLE.get(result.status, "")
            message = result.message if result.status not in ("success", "pass") else ""
            table.add_row(
                result.resource_type,
                result.name,
                f"[{style}]{result.status}[/]" if style else result.status,
                f"{result.execution_time:.2f}s",
                (message or "")[:80],
            )
        out.print(table)
        passed_tests = sum(r.resource_type == "test" and r.status == "pass" for r in results)
        if passed_tests and not verbose:
            out.print(f"{passed_tests} passing tests not listed (--verbose lists them)")
    counts = Counter(result.status for result in results)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no nodes ran"
    out.print(
        f"dbt build: {summary} in {outcome.run_results.elapsed_time if outcome.run_results else 0:.1f}s"
    )
    out.print(f"artifacts: {outcome.artifacts_dir}")
    checks_failed = False
    step = outcome.step_results.get("checkpoint")
    if step is not None and step.run is not None:
        from pef_gx.cli.checkpoint_cmd import render_validation_run

        render_validation_run(step.run, quiet, step.results_file)
        checks_failed = bool(step.run.failed_errors)
    elif step is not None and step.skipped:
        out.print(f"GX checkpoint skipped: {step.skipped}")
    history = outcome.step_results.get("history")
    if history is not None:
        from pef_gx.cli.alerts_cmd import print_history_result

        print_history_result(history, quiet)
    return 1 if outcome.dbt_failed or checks_failed else 0
