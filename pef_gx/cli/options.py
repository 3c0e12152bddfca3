"""Options shared by several commands, and turning them into Settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from pef_gx.settings import Settings, load_settings

ProjectDir = typer.Option(None, "--project-dir", help="dbt project folder (default: from pef-gx.yml).")
ProfilesDir = typer.Option(None, "--profiles-dir", help="Folder with profiles.yml (default: dbt's rule).")
Target = typer.Option(None, "--target", "-t", help="dbt target (default: the profile's default).")
Select = typer.Option(None, "--select", "-s", help="dbt node selection, repeatable (dbt syntax).")
Exclude = typer.Option(None, "--exclude", help="dbt node exclusion, repeatable (dbt syntax).")
IncludeStale = typer.Option(
    False,
    "--include-stale",
    help="Also validate tables the dbt build did not rebuild (failed, skipped or not run); "
    "by default their checks are reported as stale and not scored.",
)
Engine = typer.Option(
    None,
    "--engine",
    metavar="compiled|gx",
    help="What runs the checks: 'compiled' (default: pef-gx compiles the expectations it knows into one "
    "SQL scan per table, GX runs the rest) or 'gx' (GX runs every expectation). Setting: engine.",
)
Quiet = typer.Option(False, "--quiet", "-q", help="Print only the summary.")
Wait = typer.Option(
    None,
    "--wait",
    metavar="SECONDS",
    help="How long to wait for a table lock or the DuckDB file held by another process "
    "(default: timeouts.lock_seconds in pef-gx.yml, else 60).",
)


def settings_from(
    project_dir: Path | None,
    profiles_dir: Path | None = None,
    target: str | None = None,
    wait: float | None = None,
    engine: str | None = None,
) -> Settings:
    settings = load_settings(
        {"dbt_project_dir": project_dir, "profiles_dir": profiles_dir, "target": target, "engine": engine}
    )
    if wait is None:
        return settings
    timeouts = {**settings.section("timeouts"), "lock_seconds": wait}
    return replace(settings, sections={**settings.sections, "timeouts": timeouts})


def warn_waiting(message: str) -> None:
    """Told by the library when a lock keeps it waiting: say so on stderr, so a pause is never silent."""
    typer.echo(message, err=True)
