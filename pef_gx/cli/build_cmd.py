"""`pef-gx build`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.markup import escape

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
    include_stale: bool = options.IncludeStale,
    wait: float | None = options.Wait,
    engine: str | None = options.Engine,
    quiet: bool = options.Quiet,
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="List passing tests and every skipped node too."
    ),
) -> int:
    """Run `dbt build`, then the GX checkpoint and the run history, and print a per-node summary.

    The selection is resolved with dbt's own selector before dbt starts: one that matches nothing is
    an error (exit 2). The summary lists every model, seed and snapshot that ran, each test that did not
    pass (all with --verbose), dbt's own error line for each failure and the skipped nodes counted under
    the node that caused them (listed with --verbose). Tables dbt did not rebuild are not validated:
    their checks are reported as stale (--include-stale checks them anyway).
    Exit 1 when a model or an error-severity check fails.

    Example: pef-gx build --target postgres --select staging
    """
    from pef_gx.runner.build import build as run_build
    from pef_gx.runner.post_run import default_post_run_steps

    settings = options.settings_from(project_dir, profiles_dir, target, wait, engine)
    steps = default_post_run_steps(settings, on_wait=options.warn_waiting, include_stale=include_stale)
    with node_progress(interactive() and not quiet, "dbt build") as on_node:
        outcome = run_build(settings, select or (), exclude or (), post_run_steps=steps, on_node=on_node)
    out = console()
    results = outcome.run_results.results if outcome.run_results else ()
    summary = outcome.summary
    if not quiet and results:
        _node_table(out, outcome, results, verbose)
    if summary is not None and not quiet:
        _failures(out, summary, verbose)
    counts = Counter(result.status for result in results)
    text = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no nodes ran"
    out.print(f"dbt build: {text} in {outcome.run_results.elapsed_time if outcome.run_results else 0:.1f}s")
    out.print(f"artifacts: {outcome.artifacts_dir}")
    checks_failed = False
    run = None
    step = outcome.step_results.get("checkpoint")
    if step is not None and step.run is not None:
        from pef_gx.cli.checkpoint_cmd import render_validation_run

        run = step.run
        render_validation_run(run, quiet, step.results_file)
        checks_failed = bool(run.failed_errors)
    elif step is not None and step.skipped:
        out.print(f"GX checkpoint skipped: {step.skipped}")
    history = outcome.step_results.get("history")
    if history is not None:
        from pef_gx.cli.alerts_cmd import print_history_result

        print_history_result(history, quiet)
    if outcome.dbt_failed or checks_failed:
        out.print(_failed_line(summary, run, outcome.dbt_failed), markup=False, style="red")
    return 1 if outcome.dbt_failed or checks_failed else 0


def _node_table(out, outcome, results, verbose: bool) -> None:
    from rich.table import Table

    from pef_gx.runner.build_summary import error_detail

    out.print(f"dbt build on {outcome.target.describe()}")
    table = Table()
    for column in ("type", "node", "status", "time", "message"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for result in results:
        if result.status == "skipped" and not verbose:
            continue  # counted under their cause below
        if result.resource_type == "test" and result.status == "pass" and not verbose:
            continue
        style = _STATUS_STYLE.get(result.status, "")
        message = ""
        if result.status not in ("success", "pass"):
            message = error_detail(result.message, 160) or (result.message or "")
        table.add_row(
            result.resource_type,
            result.name,
            f"[{style}]{result.status}[/]" if style else result.status,
            f"{result.execution_time:.2f}s",
            escape(message[:160]),
        )
    out.print(table)
    passed_tests = sum(r.resource_type == "test" and r.status == "pass" for r in results)
    if passed_tests and not verbose:
        out.print(f"{passed_tests} passing tests not listed (--verbose lists them)")


def _kinds(unique_ids: list[str]) -> str:
    counts = Counter(uid.split(".", 1)[0] for uid in unique_ids)
    return ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items()))


def _failures(out, summary, verbose: bool) -> None:
    """dbt's own error line per failed node, then the skipped nodes counted under their cause."""
    for failure in summary.failures:
        if failure.resource_type == "test" and failure.status == "fail":
            continue  # failing tests are in the table with dbt's message
        out.print(f"{failure.resource_type} {failure.name} {failure.status}: {failure.detail}", markup=False)
    from pef_gx.artifacts.run_results import node_name

    for cause, skipped in sorted(summary.skipped.items(), key=lambda kv: kv[0] or ""):
        why = f"because {node_name(cause)} failed" if cause else "(cause unknown)"
        line = f"skipped {why}: {_kinds(skipped)}"
        if not verbose:
            line += " (--verbose lists them)"
        out.print(line, markup=False)
        if verbose:
            out.print("  " + ", ".join(node_name(uid) for uid in skipped), markup=False)


def _failed_line(summary, run, dbt_failed: bool) -> str:
    """The last line of a failed build: what failed, and where to look next."""
    parts = []
    if dbt_failed and summary is not None:
        failed = summary.failed_nodes or summary.failures
        names = ", ".join(f.name for f in failed[:3]) + (" ..." if len(failed) > 3 else "")
        if failed:
            parts.append(f"dbt failed on {names}")
        if summary.skipped_total:
            parts.append(f"{summary.skipped_total} node(s) skipped")
    elif dbt_failed:
        parts.append("dbt build failed")
    if run is not None and run.stale_nodes:
        parts.append(f"{len(run.stale_nodes)} model(s) stale, not validated")
    if run is not None and run.failed_errors:
        parts.append(f"{len(run.failed_errors)} error-severity check(s) failed")
    return (
        "build failed: " + "; ".join(parts) + ". Run `pef-gx explain` for the root cause and the next step."
    )
