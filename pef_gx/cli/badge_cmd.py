"""`pef-gx badge`: SVG badges (overall and per dimension) and shields.io endpoint JSON."""

from __future__ import annotations

from pathlib import Path

import typer

from pef_gx.cli.app import app


@app.command()
def badge(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Folder for the badges (default: .pef-gx/badges)."
    ),
    results: Path | None = typer.Option(
        None, "--results", help="Results file (default: .pef-gx/results/latest.json)."
    ),
) -> int:
    """Write overall.svg and <dimension>.svg badges, plus shields.io endpoint JSON for each.

    Example: pef-gx badge --out site/badges
    """
    from pef_gx.cli.options import settings_from
    from pef_gx.reporting import service

    paths = service.badges(settings_from(None), results, out)
    typer.echo(f"wrote {len(paths)} files to {paths[0].parent}")
    return 0
