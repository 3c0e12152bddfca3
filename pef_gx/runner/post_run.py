"""The post-build steps `pef-gx build` runs after `dbt build`, in order."""

from __future__ import annotations

from collections.abc import Callable

from pef_gx.runner.build import PostRunStep
from pef_gx.runner.checkpoint import CheckpointStep
from pef_gx.runner.custom_tests_step import CustomTestsStep
from pef_gx.runner.history_step import HistoryStep
from pef_gx.runner.site import SiteStep
from pef_gx.settings import Settings


def default_post_run_steps(
    settings: Settings, on_wait: Callable[[str], None] | None = None, include_stale: bool = False
) -> list[PostRunStep]:
    """The checkpoint (validate suites against what dbt just built), the quality-score and build-time
    tests (judged from the checkpoint's results), the run history, then the site (its pages read the
    results files the history step makes live)."""
    # History after the checkpoint: it records the checkpoint's run, then writes its results file.
    return [
        CheckpointStep(on_wait=on_wait, include_stale=include_stale),
        CustomTestsStep(settings),
        HistoryStep(),
        SiteStep(),
    ]
