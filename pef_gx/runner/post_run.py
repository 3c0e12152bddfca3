"""The post-build steps `pef-gx build` runs after `dbt build`, in order."""

from __future__ import annotations

from pef_gx.runner.build import PostRunStep
from pef_gx.runner.checkpoint import CheckpointStep
from pef_gx.runner.history_step import HistoryStep
from pef_gx.runner.site import SiteStep
from pef_gx.settings import Settings


def default_post_run_steps(settings: Settings) -> list[PostRunStep]:
    """The checkpoint (validate suites against what dbt just built), the run history, then the site."""
    return [
        CheckpointStep(),
        HistoryStep(),
        SiteStep(),
    ]  # history after the checkpoint: it records its results
