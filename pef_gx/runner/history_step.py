"""Post-run step: record the run in the history store (after the checkpoint), then send alerts.

The checkpoint writes its results file (.pef-gx/results/latest.json); when that file belongs to this
dbt invocation it is recorded (checks, scores, dbt nodes), otherwise dbt's run_results alone are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.errors import OutputError, PefGxError
from pef_gx.observability.history import run_from_run_results
from pef_gx.observability.service import HistoryOutcome, record_and_alert
from pef_gx.results.model import DbtNodeRun, ValidationRun
from pef_gx.results.writer import stage_run
from pef_gx.runner.build import BuildContext
from pef_gx.settings import Settings
from pef_gx.warehouse.faults import DISK_FULL, classify

RESULTS_DIR = Path(".pef-gx") / "results"


@dataclass
class HistoryStepResult:
    outcome: HistoryOutcome | None
    error: str | None = None  # the history could not be written (the build itself is not affected)


def _checkpoint_run(settings: Settings, invocation_id: str | None) -> ValidationRun | None:
    """The checkpoint's results of this dbt invocation: latest.json, or (a run that validated nothing
    does not replace latest.json) the newest run file that names the invocation."""
    if not invocation_id:
        return None
    folder = settings.root / RESULTS_DIR
    latest = folder / "latest.json"
    candidates = [latest] if latest.is_file() else []
    if folder.is_dir():
        candidates += sorted((p for p in folder.glob("*.json") if p != latest), reverse=True)[:5]
    for path in candidates:
        try:
            run = ValidationRun.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if run.dbt_invocation_id == invocation_id:
            return run
    return None


def validation_run_for(context: BuildContext) -> ValidationRun | None:
    results = context.run_results
    invocation = results.invocation_id if results else None
    run = _checkpoint_run(context.settings, invocation)
    if run is None:
        if results is None:
            return None
        return run_from_run_results(results, context.project.name, context.target, "build")
    if not run.dbt_nodes and results is not None:
        run.dbt_nodes = [
            DbtNodeRun(r.unique_id, r.status, r.execution_time, r.message, r.failures, r.rows_affected)
            for r in results.results
        ]
    return run


class HistoryStep:
    """Runs after the checkpoint step in `pef-gx build`."""

    name = "history"

    def run(self, context: BuildContext) -> Any:
        checkpoint = context.step_results.get("checkpoint")
        validated = getattr(checkpoint, "run", None)
        if validated is not None:  # the checkpoint left its run for us: history first, then its results
            checkpoint.results_file, history = persist_run(context.settings, validated, context.target)
            return history
        run = validation_run_for(context)
        if run is None:
            return HistoryStepResult(None, "dbt wrote no run_results.json: nothing to record")
        return record_checkpoint_run(context.settings, run, context.target)


def record_checkpoint_run(
    settings: Settings, run: ValidationRun, target: Any | None = None
) -> HistoryStepResult:
    """For `pef-gx checkpoint` alone (a build records through HistoryStep): record, then alert."""
    try:
        return HistoryStepResult(record_and_alert(settings, run, target=target))
    except OutputError:
        raise  # a full disk stops the run: its results are not committed without their history
    except PefGxError as exc:
        return HistoryStepResult(None, str(exc))
    except Exception as exc:
        if classify(exc) == DISK_FULL:
            raise OutputError(
                f"disk full while recording run {run.run_id} in the run history",
                "free some space and run again; the previous results and history are unchanged",
            ) from None
        raise


def persist_run(
    settings: Settings, run: ValidationRun, target: Any | None = None
) -> tuple[Path, HistoryStepResult]:
    """Write a finished run: results staged, history recorded, then results made live (latest.json last).

    A failure at any point (a full disk, most often) leaves the previous latest.json, results files and
    history as they were: the run is either everywhere or nowhere.
    """
    staged = stage_run(run, settings.root)
    try:
        history = record_checkpoint_run(settings, run, target)
    except BaseException:
        staged.discard()
        raise
    return staged.commit(), history
