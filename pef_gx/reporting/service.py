"""The edges of scoring: read the results / baseline / manifest / history files, score, render, write.

What `pef-gx score` and `pef-gx badge` call. Scoring itself (pef_gx.scoring) stays pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Manifest, read_manifest
from pef_gx.artifacts.shapes import check_results, loads_strict
from pef_gx.errors import ArtifactError, OutputError, PefGxError
from pef_gx.reporting.badge import badge_files
from pef_gx.reporting.html_scores import PAGE_NAME, render_scores_page
from pef_gx.reporting.markdown import render_markdown
from pef_gx.reporting.text import render_text
from pef_gx.reporting.view import ReportView, build_view
from pef_gx.results.model import ValidationRun
from pef_gx.scoring.compare import BaselineError, Comparison, compare
from pef_gx.scoring.compute import score_run
from pef_gx.scoring.formula import ScoringConfig
from pef_gx.scoring.history import TrendPoint, trend
from pef_gx.scoring.model import SCORES_KIND, ScoreReport
from pef_gx.settings import Settings
from pef_gx.writers.atomic import write_atomic as _write_atomic

FORMATS = ("text", "json", "markdown")
RESULTS_DIR = Path(".pef-gx") / "results"
LATEST = "latest.json"
BADGES_DIR = Path(".pef-gx") / "badges"


def results_dir(settings: Settings) -> Path:
    return settings.root / RESULTS_DIR


def default_results_file(settings: Settings) -> Path:
    return results_dir(settings) / LATEST


def _read_json(path: Path, what: str, hint: str, error: type[PefGxError] = ArtifactError) -> Any:
    if not path.is_file():
        raise error(f"{what} {path} not found", hint)
    try:
        return loads_strict(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise error(f"{what} {path} is not valid JSON (truncated?)", hint) from None
    except RecursionError:
        raise error(f"{what} {path} is nested too deeply to read", hint) from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}", hint) from None


def _is_results(data: Any) -> bool:
    return isinstance(data, dict) and "checks" in data and "run_id" in data and "kind" not in data


def _run_from(data: dict[str, Any], path: Path, error: type[PefGxError]) -> ValidationRun:
    check_results(data, path, error)  # the shape first: one line naming the bad field
    try:
        return ValidationRun.from_dict(data)
    except (TypeError, KeyError, ValueError) as exc:
        raise error(
            f"{path} is not a pef-gx results file ({exc.__class__.__name__}: {str(exc)[:80]})",
            "pass a file written by `pef-gx build` (.pef-gx/results/<run_id>.json)",
        ) from None


def read_results(path: Path) -> ValidationRun:
    """A results file written by `pef-gx build` / `pef-gx checkpoint`."""
    hint = "run `pef-gx build` first (it writes results when suites/ has suites: `pef-gx generate`), or pass --results FILE"
    data = _read_json(path, "results file", hint)
    if not _is_results(data):
        raise ArtifactError(
            f"{path} is not a pef-gx results file",
            "pass a file from .pef-gx/results/ written by `pef-gx build`",
        )
    return _run_from(data, path, ArtifactError)


def read_baseline(path: Path, config: ScoringConfig | None = None) -> ScoreReport:
    """A baseline: a scores file (`pef-gx score --out`) or a results file (scored here)."""
    hint = "save one on main with `pef-gx score --out main-scores.json`, or drop --baseline"
    data = _read_json(path, "baseline", hint, BaselineError)
    if isinstance(data, dict) and data.get("kind") == SCORES_KIND:
        try:
            return ScoreReport.from_dict(data)
        except (TypeError, KeyError, ValueError, AttributeError):
            raise BaselineError(f"baseline {path} is a damaged scores file", hint) from None
    if _is_results(data):
        return score_run(_run_from(data, path, BaselineError), config=config)
    raise BaselineError(f"baseline {path} is neither a pef-gx scores file nor a results file", hint)


def read_history(folder: Path, limit: int = 30, skip: Iterable[Path] = ()) -> list[ValidationRun]:
    """The newest `limit` readable results files in `folder` (file names start with the run's UTC time;
    latest.json, a copy, and the files in `skip` are left out; damaged files are skipped: best effort)."""
    if not folder.is_dir():
        return []
    skipped = {p.resolve() for p in skip}
    paths = sorted(p for p in folder.glob("*.json") if p.name != LATEST and p.resolve() not in skipped)
    runs = []
    for path in paths[-limit:]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if _is_results(data):
                runs.append(ValidationRun.from_dict(data))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return runs


def _manifest_for(settings: Settings, run: ValidationRun, manifest: Path | None) -> Manifest | None:
    """The manifest given (errors are the user's to fix), else the project's target/manifest.json when it
    is readable and of the same dbt project (coverage then counts unchecked models too)."""
    if manifest is not None:
        return read_manifest(manifest)
    try:
        from pef_gx.artifacts.project import load_dbt_project

        found = read_manifest(load_dbt_project(settings.dbt_project_dir).manifest_path)
    except PefGxError:
        return None
    return found if found.project_name in ("", run.project) else None


def scoring_config(settings: Settings) -> ScoringConfig:
    return ScoringConfig.from_section(settings.section("scoring"))


@dataclass
class ScoreOutcome:
    report: ScoreReport
    comparison: Comparison | None
    view: ReportView
    results_path: Path
    history: list[TrendPoint] = field(default_factory=list)


def score(
    settings: Settings,
    results: Path | None = None,
    baseline: Path | None = None,
    manifest: Path | None = None,
    docs_url: str | None = None,
) -> ScoreOutcome:
    """Read the results (default .pef-gx/results/latest.json), score them, compare with `baseline`."""
    config = scoring_config(settings)
    results_path = results or default_results_file(settings)
    run = read_results(results_path)
    base = read_baseline(baseline, config) if baseline is not None else None
    report = score_run(run, _manifest_for(settings, run, manifest), config)
    comparison = compare(report, base) if base is not None else None
    history_dir = results_path.parent if results is not None else results_dir(settings)
    history = trend(
        [run, *read_history(history_dir, skip=[results_path])], run.project, config, current=report
    )
    return ScoreOutcome(report, comparison, build_view(report, comparison, docs_url), results_path, history)


def scores_json(outcome: ScoreOutcome) -> str:
    data = outcome.report.to_dict()
    if outcome.comparison is not None:
        data["comparison"] = outcome.comparison.to_dict()
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def render(outcome: ScoreOutcome, fmt: str) -> str:
    if fmt == "json":
        return scores_json(outcome)
    if fmt == "markdown":
        return render_markdown(outcome.view)
    return render_text(outcome.view)


def write_atomic(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically (never half-written), as a readable file (0644)."""
    if path.is_dir():
        raise OutputError(f"{path} is a folder", "pass a file path")
    try:
        _write_atomic(path, text)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror}", "check the path and its permissions"
        ) from None
    return path


def write_scores(outcome: ScoreOutcome, path: Path) -> Path:
    """The scores JSON, to use as the next run's --baseline."""
    return write_atomic(path, scores_json(outcome))


def scores_page_path(settings: Settings, outcome: ScoreOutcome) -> Path:
    """Beside Data Docs: the folder of the run's Data Docs index, else gx/uncommitted/data_docs/local_site."""
    index = outcome.report.data_docs_index
    if index and Path(index).is_file():
        return Path(index).parent / PAGE_NAME
    return settings.gx_dir / "uncommitted" / "data_docs" / "local_site" / PAGE_NAME


def write_scores_page(settings: Settings, outcome: ScoreOutcome, path: Path | None = None) -> Path:
    path = path or scores_page_path(settings, outcome)
    docs_href = "index.html" if (path.parent / "index.html").is_file() else None
    return write_atomic(path, render_scores_page(outcome.view, outcome.history, docs_href))


def write_badges(view: ReportView, out_dir: Path) -> list[Path]:
    """overall.svg/.json and <dimension>.svg/.json in `out_dir` (created)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder", "pass --out DIR")
    return [write_atomic(out_dir / f.name, f.content) for f in badge_files(view)]


def badges(settings: Settings, results: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    outcome = score(settings, results)
    return write_badges(outcome.view, out_dir or settings.root / BADGES_DIR)
