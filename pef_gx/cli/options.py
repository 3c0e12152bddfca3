"""Options shared by several commands, and turning them into Settings."""

from __future__ import annotations

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
Quiet = typer.Option(False, "--quiet", "-q", help="Print only the summary.")


def settings_from(
    project_dir: Path | None, profiles_dir: Path | None = None, target: str | None = None
) -> Settings:
    return load_settings({"dbt_project_dir": project_dir, "profiles_dir": profiles_dir, "target": target})
