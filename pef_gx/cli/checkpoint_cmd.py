"""`pef-gx checkpoint`: validate the GX suites against the tables of the current dbt target."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from pef_gx.checks import custom_tests
from pef_gx.cli import options
from pef_gx.cli.app import app
from pef_gx.cli.console import console

_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "error": "red"}
_ORDER = {"pass": 0, "warn": 1, "fail": 2, "error": 3}
_CUSTOM_KINDS = tuple(custom_tests.GX_TYPES)  # quality-score and performance tests: listed on their own


def render_validation_run(run: Any, quiet: bool = False, results_file: Path | None = None) -> None:
    """The checkpoint summary: checks that did not pass, counts by verdict, where results and docs are."""
    from pef_gx.results.describe import sql_values

    out = console()
    problems = [c for c in run.checks if c.status not in ("pass", "stale") and c.kind not in _CUSTOM_KINDS]
    if problems and not quiet:
        from rich.table import Table

        table = Table(title="GX checks that did not pass")
        for column in ("status", "severity", "suite", "check", "column(s)", "detail"):
            table.add_column(column)
        order = {"error": 0, "fail": 1, "warn": 2}
        for check in sorted(problems, key=lambda c: (order.get(c.status, 3), c.suite, c.expectation_type)):
            style = _STYLE.get(check.status, "")
            detail = check.message or ""
            if check.unexpected_values and check.kind not in ("freshness", "recency"):
                detail += f"; e.g. {sql_values(check.unexpected_values[:3])}"
            table.add_row(
                f"[{style}]{check.status}[/]",
                check.severity,
                check.suite,
                check.kind if check.kind != check.expectation_type else check.expectation_type,
                ", ".join(check.columns),
                escape(detail[:160]),
            )
        out.print(table)
    stale = run.stale_nodes
    if stale and not quiet:
        from rich.table import Table

        per_node = Counter(c.node_id for c in run.stale_checks)
        table = Table(
            title="stale: not rebuilt by the dbt build, so not validated (--include-stale checks them)"
        )
        for column in ("status", "model", "checks", "reason"):
            table.add_column(column)
        for node_id, reason in sorted(stale.items()):
            table.add_row("[yellow]stale[/]", node_id.split(".")[-1], str(per_node[node_id]), escape(reason))
        out.print(table)
    custom = [c for c in run.checks if c.kind in _CUSTOM_KINDS]
    if custom and not quiet:
        from rich.table import Table

        table = Table(title="quality-score and performance tests")
        for column in ("status", "severity", "model", "test", "result"):
            table.add_column(column)
        for check in sorted(custom, key=lambda c: (c.node_name, c.kind, c.dimension, c.check_id)):
            style = _STYLE.get(check.status, "dim")
            test = f"{check.kind} ({check.dimension})" if check.kind == "quality_score" else check.kind
            table.add_row(
                f"[{style}]{check.status}[/]", check.severity, check.node_name, test, check.message or ""
            )
        out.print(table)
    counts = Counter(c.status for c in run.checks)
    summary = (
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: _ORDER.get(kv[0], 9)))
        or "no checks"
    )
    failing = len(run.failed_errors)
    if failing:
        verdict = f"[red]{failing} error-severity check(s) failed[/]"
    elif not run.validated_checks:
        verdict = "[yellow]nothing validated[/]"
    elif stale:
        verdict = (
            f"[yellow]{len(stale)} model(s) stale, not validated[/]; no error-severity failure in the rest"
        )
    else:
        verdict = "[green]no error-severity failure[/]"
    out.print(
        f"GX checkpoint on {run.target_type} ({run.target_name}): {summary} in {run.elapsed_s:.1f}s; {verdict}"
    )
    if results_file and run.validated_checks:
        out.print(f"results: {results_file}")
    elif results_file:
        out.print(f"results: {results_file} (latest.json kept: this run validated nothing)")
    if run.data_docs_index:
        out.print(f"Data Docs: {run.data_docs_index}")


@app.command()
def checkpoint(
    project_dir: Path | None = options.ProjectDir,
    profiles_dir: Path | None = options.ProfilesDir,
    target: str | None = options.Target,
    select: list[str] | None = options.Select,
    exclude: list[str] | None = options.Exclude,
    no_docs: bool = typer.Option(False, "--no-docs", help="Do not rebuild the Data Docs site."),
    parse: bool = typer.Option(False, "--parse", help="Run `dbt parse` first (writes target/manifest.json)."),
    include_stale: bool = options.IncludeStale,
    wait: float | None = options.Wait,
    engine: str | None = options.Engine,
    quiet: bool = options.Quiet,
) -> int:
    """Validate the suites in suites/ against the relations dbt built (manifest of the current target).

    Runs after a `dbt build` someone else ran (e.g. in CI); `pef-gx build` runs it by itself.
    Tables that dbt run (target/run_results.json) did not rebuild are not validated: their checks are
    reported as stale (--include-stale checks them anyway).
    Exit 1 when a check of severity error fails; warnings are reported and exit 0.

    Example: pef-gx checkpoint --target postgres --select marts
    """
    from pef_gx.cli.alerts_cmd import print_history_result
    from pef_gx.results.writer import results_dir
    from pef_gx.runner.checkpoint import checkpoint_and_record

    settings = options.settings_from(project_dir, profiles_dir, target, wait, engine)
    run, history = checkpoint_and_record(
        settings,
        select or (),
        exclude or (),
        build_docs=not no_docs,
        include_stale=include_stale,
        parse=parse,
        on_wait=options.warn_waiting,
    )
    render_validation_run(run, quiet, results_dir(settings.root) / f"{run.run_id}.json")
    print_history_result(history, quiet)
    return 1 if run.failed_errors else 0
