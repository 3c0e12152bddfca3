"""The post-build steps `pef-gx build` runs after `dbt build`, in order."""

from __future__ import annotations

from pef_gx.runner.build import PostRunStep
from pef_gx.runner.checkpoint import CheckpointStep
from pef_gx.runner.history_step import HistoryStep
from pef_gx.settings import Settings


def default_post_run_steps(settings: Settings, include_stale: bool = False) -> list[PostRunStep]:
    """The checkpoint (validate suites against what dbt just built), then the run history."""
    return [
        CheckpointStep(include_stale=include_stale),
        HistoryStep(),
    ]  # history last: it records the checkpoint's results
