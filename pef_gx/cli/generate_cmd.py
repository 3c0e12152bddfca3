"""`pef-gx generate`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pef_gx.cli import options
from pef_gx.cli.app import app
from pef_gx.cli.console import console


@app.command()
def generate(
    project_dir: Path | None = options.ProjectDir,
    profiles_dir: Path | None = options.ProfilesDir,
    target: str | None = options.Target,
    select: list[str] | None = options.Select,
    exclude: list[str] | None = options.Exclude,
    infer: bool = typer.Option(False, "--infer", help="Profile the selected models and propose checks."),
    parse: bool = typer.Option(False, "--parse", help="Run `dbt parse` first."),
    check: bool = typer.Option(
        False,
        "--check",
        help="Write nothing; exit 1 when a file is out of date or the manifest is older than the project files.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write nothing; print the diff."),
    output_format: str = typer.Option("text", "--format", help="Report format: text or json."),
    suites_dir: Path | None = typer.Option(
        None, "--suites-dir", help="Where suites go (default: pef-gx.yml)."
    ),
    quiet: bool = options.Quiet,
) -> int:
    """Write GX suites and dbt schema tests from the dbt manifest, kept in sync.

    Example: pef-gx generate --select staging --infer
    """
    from pef_gx.errors import ConfigError
    from pef_gx.runner.generate import generate as run_generate
    from pef_gx.settings import load_settings

    if output_format not in ("text", "json"):
        raise ConfigError(f"unknown --format '{output_format}'", "use text or json")
    settings = load_settings(
        {
            "dbt_project_dir": project_dir,
            "profiles_dir": profiles_dir,
            "target": target,
            "suites_dir": suites_dir,
        }
    )
    result = run_generate(
        settings,
        select or (),
        exclude or (),
        infer=infer,
        parse=parse,
        write=not (check or dry_run),
        stale_manifest="fail" if check else "parse",
    )
    out = console()
    root = settings.root
    if result.reparsed and output_format != "json":
        shown = ", ".join(result.reparsed[:5]) + (" ..." if len(result.reparsed) > 5 else "")
        out.print(f"the manifest was older than {shown}: ran `dbt parse` first", markup=False)
    if output_format == "json":
        data = result.report.to_dict()
        data["mode"] = "check" if check else "dry-run" if dry_run else "write"
        data["out_of_date"] = bool(result.changes) if check else False
        data["reparsed"] = result.reparsed
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        if dry_run:
            for change in result.changes:
                typer.echo(change.diff(root), nl=False)
        if not quiet:
            _print_report(out, result.report)
        totals = result.report.totals()
        verb = "would change" if (check or dry_run) else "changed"
        out.print(
            f"{totals['checks']} checks on {len(result.report.nodes)} nodes: {totals['mirrored']} in both dbt "
            f"and GX, {totals['gx_only']} GX only, {totals['dbt_only']} not mirrored; "
            f"{len(result.changes)} file(s) {verb}"
        )
        shown = result.changes if not quiet else result.changes[:20]
        for change in shown:
            out.print(f"  {change.action}: {_rel(change.path, root)}")
        if len(shown) < len(result.changes):
            out.print(f"  ... and {len(result.changes) - len(shown)} more")
    if check and result.changes:
        if output_format != "json":
            out.print("out of date: run `pef-gx generate` and commit the result")
        return 1
    return 0


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _print_report(out, report) -> None:
    from rich.table import Table

    from pef_gx.checks.spec import DIMENSIONS

    table = Table(title="parity: checks by dimension")
    table.add_column("node")
    for dimension in DIMENSIONS:
        table.add_column(dimension[:5], justify="right")
    for name in ("total", "both", "GX only", "dbt only"):
        table.add_column(name, justify="right")
    for node in report.nodes:
        table.add_row(
            node.suite or node.node_id,
            *[str(node.by_dimension.get(d, 0) or "") for d in DIMENSIONS],
            str(node.total),
            str(node.both),
            str(len(node.gx_only) or ""),
            str(len(node.dbt_only) or ""),
        )
    out.print(table)
    missing = [(n, m) for n in report.nodes for m in n.dbt_only]
    if missing:
        out.print("not mirrored in GX:")
        for _node, item in missing:
            out.print(f"  {item.ref}: {item.reason}")
