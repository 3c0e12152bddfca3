"""`pef-gx score`: per-dimension quality scores of the last run, against a baseline if given."""

from __future__ import annotations

from pathlib import Path

import typer

from pef_gx.cli.app import app


@app.command()
def score(
    results: Path | None = typer.Option(
        None, "--results", help="Results file (default: .pef-gx/results/latest.json)."
    ),
    fmt: str = typer.Option(
        "text", "--format", "-f", help="text (a table), json (for machines) or markdown (the PR comment)."
    ),
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Scores (or results) file to compare with, e.g. saved from main."
    ),
    fail_under: float | None = typer.Option(
        None, "--fail-under", min=0, max=100, help="Exit 1 when the overall score is below N (0-100)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Also write the scores JSON here (the next run's --baseline)."
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="dbt manifest.json for coverage (default: the project's target/)."
    ),
    docs_url: str | None = typer.Option(
        None, "--docs-url", help="Link to the Data Docs artifact, shown in the markdown comment."
    ),
    html: bool = typer.Option(True, "--html/--no-html", help="Write the HTML scores page beside Data Docs."),
) -> int:
    """Score the last validation run per dimension, per model and for the project.

    Example: pef-gx score --format markdown --baseline main-scores.json --fail-under 90
    """
    from pef_gx.cli.options import settings_from
    from pef_gx.errors import ConfigError, did_you_mean
    from pef_gx.reporting import service
    from pef_gx.scoring.threshold import below

    if fmt not in service.FORMATS:
        hint = did_you_mean(fmt, service.FORMATS) or f"one of: {', '.join(service.FORMATS)}"
        raise ConfigError(f"unknown --format '{fmt}'", hint)
    settings = settings_from(None)
    outcome = service.score(settings, results, baseline, manifest, docs_url)
    if out is not None:
        service.write_scores(outcome, out)
    page = service.write_scores_page(settings, outcome) if html else None
    typer.echo(service.render(outcome, fmt), nl=False)
    if out is not None:
        typer.echo(f"scores: {out}", err=True)
    if page is not None:
        typer.echo(f"scores page: {page}", err=True)
    if below(outcome.report, fail_under):
        typer.echo(
            f"overall score {outcome.view.overall.score_text} is below --fail-under {fail_under:g}", err=True
        )
        return 1
    return 0
