"""Write the pef-gx site beside GX's Data Docs: the site index, the models section and a page per node,
the scores page and the health page. Gathers the data (results history, manifest, suites, GX pages) for
pef_gx.reporting.site.builder, which lays it out; best effort per page: a missing manifest or history
leaves those pages out, it never fails a build.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pef_gx.errors import PefGxError
from pef_gx.reporting.service import read_history, results_dir, write_atomic
from pef_gx.reporting.site.builder import HEALTH, SiteData, build_pages
from pef_gx.reporting.site.project import ProjectDocs, read_project, read_suite_checks
from pef_gx.runner.build import BuildContext
from pef_gx.settings import Settings

HISTORY_RUNS = 50  # runs in the index (and the run-time trends)


def docs_dir(settings: Settings) -> Path:
    from pef_gx.validation.context import gx_paths

    return gx_paths(settings.gx_dir, settings.suites_dir).docs_dir


def _gx_pages(site: Path, run_ids: Sequence[str]) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """GX's validation pages of the runs shown (by suite and run name: the site keeps every run's, so
    only these are looked up) and its expectation-suite pages by suite."""
    validations: dict[tuple[str, str], str] = {}
    root = site / "validations"
    for suite_dir in root.iterdir() if root.is_dir() else ():
        for run_id in (r for r in run_ids if r not in ("", ".", "..") and Path(r).name == r):
            for page in sorted((suite_dir / run_id).glob("*/*.html")):
                validations[(suite_dir.name, run_id)] = page.relative_to(site).as_posix()
    suites = {p.stem: p.relative_to(site).as_posix() for p in (site / "expectations").glob("*.html")}
    return validations, suites


def _project_docs(settings: Settings) -> ProjectDocs | None:
    try:
        from pef_gx.artifacts.project import load_dbt_project

        project = load_dbt_project(settings.dbt_project_dir)
        return read_project(project.manifest_path, project.manifest_path.with_name("catalog.json"))
    except PefGxError:
        return None


def site_data(settings: Settings, site: Path) -> SiteData:
    runs = read_history(results_dir(settings), limit=HISTORY_RUNS)
    docs = _project_docs(settings)
    validations, suites = _gx_pages(site, [r.run_id for r in runs])
    project = runs[-1].project if runs else settings.root.name
    scores: dict[str, tuple[str, str]] = {}
    if runs:
        from pef_gx.reporting.view import grade, score_text
        from pef_gx.scoring.compute import score_run

        report = score_run(runs[-1])
        scores = {m.node_id: (score_text(m.score), grade(m.score)[1]) for m in report.models}
    return SiteData(
        project=project,
        runs=runs,
        docs=docs,
        checks=read_suite_checks(settings.suites_dir),
        validation_pages=validations,
        suite_pages=suites,
        scores=scores,
        test_docs=docs.test_docs if docs else {},
    )


def write_site(settings: Settings, site: Path | None = None) -> Path:
    """Write every page of the pef-gx site into the Data Docs folder; returns its index.html."""
    site = site or docs_dir(settings)
    data = site_data(settings, site)
    for relative, html in build_pages(data).items():
        path = site / relative
        if not path.resolve().is_relative_to(site.resolve()):
            continue  # names come from the project: never write outside the site
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, html)
    _write_scores(settings, site)
    _write_health(settings, site)
    return site / "index.html"


def _write_scores(settings: Settings, site: Path) -> None:
    from pef_gx.reporting import service

    try:
        outcome = service.score(settings)
    except PefGxError:
        return
    service.write_scores_page(settings, outcome, site / service.PAGE_NAME)


def _write_health(settings: Settings, site: Path) -> None:
    from pef_gx.observability import service
    from pef_gx.reporting.health_page import render_health_page

    try:
        report = service.health_report(settings)
    except PefGxError:
        return
    write_atomic(site / HEALTH, render_health_page(report.to_dict(), "index.html"))


def refresh_site(settings: Settings) -> str | None:
    """write_site for the end of a build or checkpoint: the site is best effort, never a failed run.
    Returns why it could not be written, or None."""
    try:
        write_site(settings)
    except (PefGxError, OSError) as exc:
        return str(exc)
    return None


class SiteStep:
    """Post-run step of `pef-gx build` (after the history): the pef-gx pages beside Data Docs."""

    name = "site"

    def run(self, context: BuildContext) -> str | None:
        return refresh_site(context.settings)
