"""`pef-gx docs`: where the Data Docs are, or serve them on localhost."""

from __future__ import annotations

from pathlib import Path

import typer

from pef_gx.cli import options
from pef_gx.cli.app import app


@app.command()
def docs(
    project_dir: Path | None = options.ProjectDir,
    serve: bool = typer.Option(False, "--serve", help="Serve the site on 127.0.0.1 until Ctrl-C."),
    port: int = typer.Option(8008, "--port", help="Port for --serve (0: any free port)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild the site from the stored results first."),
) -> int:
    """Print the path of the Data Docs index.html (built by each checkpoint); works offline.

    Example: pef-gx docs --serve --port 8008
    """
    from pef_gx.runner.checkpoint import docs_index, serve_docs

    settings = options.settings_from(project_dir)
    index = docs_index(settings, rebuild=rebuild)
    if not serve:
        typer.echo(str(index))
        return 0
    with serve_docs(index.parent, port) as url:
        typer.echo(f"serving {url} (folder {index.parent}; Ctrl-C to stop)")
        try:
            import threading

            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
