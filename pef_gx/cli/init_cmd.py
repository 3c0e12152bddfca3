"""`pef-gx init`."""

from __future__ import annotations

from pathlib import Path

import typer

from pef_gx.cli import options
from pef_gx.cli.app import app
from pef_gx.cli.console import console


@app.command()
def init(
    project_dir: Path | None = options.ProjectDir,
    check: bool = typer.Option(False, "--check", help="Install nothing; exit 1 when macros are missing."),
) -> int:
    """Install the generic dbt tests pef-gx generates into <dbt project>/macros/pef_gx/, and the
    templates `pef-gx ask` renders into generators/ (next to pef-gx.yml; files already there are kept).

    Example: pef-gx init --project-dir path/to/dbt_project
    """
    from pef_gx.artifacts.project import load_dbt_project
    from pef_gx.writers.dbt_macros import install_macros

    settings = options.settings_from(project_dir)
    project = load_dbt_project(settings.dbt_project_dir)
    installed = install_macros(project.dir, write=not check)
    out = console()
    changed = [i for i in installed if i.action != "unchanged"]
    for item in installed:
        action = item.action if not check or item.action == "unchanged" else f"would {item.action}"
        out.print(f"{action}: {item.path.relative_to(project.dir)}")
    out.print(f"{len(installed)} generic test files, {len(changed)} {'to install' if check else 'installed'}")
    from pef_gx.generators.natural_language import install_templates

    templates = install_templates(settings.root, write=not check)
    created = [t for t in templates if t[1] == "create"]
    for path, action in templates:
        shown = action if not check or action != "create" else "would create"
        out.print(f"{shown}: {path.relative_to(settings.root)}")
    out.print(f"{len(templates)} ask templates, {len(created)} {'to install' if check else 'installed'}")
    return 1 if check and changed else 0  # the templates are optional: ask falls back to the package's
