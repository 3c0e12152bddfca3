"""`pef-gx build`: dbt build, then the post-run steps (the GX checkpoint, results, history)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pef_gx.artifacts.manifest import read_manifest
from pef_gx.artifacts.profiles import Target, load_target
from pef_gx.artifacts.project import DbtProject, load_dbt_project
from pef_gx.artifacts.rebuilt import build_state
from pef_gx.artifacts.run_results import RunResults, read_run_results
from pef_gx.errors import DatabaseError, DbtError, PefGxError
from pef_gx.runner.build_summary import BuildSummary, summarise
from pef_gx.runner.dbt_cli import DbtInvocation, NodeEvent, run_dbt
from pef_gx.runner.selection import select_node_ids, selection_args
from pef_gx.settings import Settings
from pef_gx.warehouse.connection import check_reachable, session_scope
from pef_gx.warehouse.timeouts import with_timeouts

_CONNECTION_WORDS = ("could not connect", "connection refused", "connection to server", "could not translate")


@dataclass(frozen=True)
class BuildContext:
    """What a post-run step gets: the project, the target and what dbt just did."""

    settings: Settings
    project: DbtProject
    target: Target
    select: tuple[str, ...]
    exclude: tuple[str, ...]
    run_results: RunResults | None
    # What the steps before returned, by step name (the history step writes the checkpoint's run).
    step_results: dict[str, Any] = field(default_factory=dict)
    selected: tuple[str, ...] | None = None  # unique_ids dbt's selector picked (None: no selection)


class PostRunStep(Protocol):
    name: str

    def run(self, context: BuildContext) -> Any: ...


@dataclass
class BuildOutcome:
    project: DbtProject
    target: Target
    invocation: DbtInvocation
    run_results: RunResults | None
    step_results: dict[str, Any] = field(default_factory=dict)
    summary: BuildSummary | None = None

    @property
    def dbt_failed(self) -> bool:
        return self.invocation.returncode != 0

    @property
    def artifacts_dir(self) -> Path:
        return self.project.target_path


# Modules the post-run steps import only when they run (found with sys.modules after a build); the
# others are imported with the steps themselves, before dbt starts.
AFTER_DBT = (
    "pef_gx.observability.anomalies",  # numpy
    "pef_gx.observability.relations",
    "pef_gx.reporting.health_page",
    "rich.console",
)


def resolve(settings: Settings) -> tuple[DbtProject, Target]:
    project = load_dbt_project(settings.dbt_project_dir)
    return project, with_timeouts(load_target(project, settings.profiles_dir, settings.target), settings)


def build(
    settings: Settings,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    post_run_steps: Sequence[PostRunStep] = (),
    on_node: Callable[[NodeEvent], None] | None = None,
) -> BuildOutcome:
    project, target = resolve(settings)
    selected = None
    if select or exclude:  # before dbt starts: a selection that matches nothing is bad input (exit 2)
        manifest = read_manifest(project.manifest_path) if project.manifest_path.is_file() else None
        selected = tuple(select_node_ids(settings, project, manifest, select, exclude, resource_types=None))
    check_reachable(target)
    if post_run_steps:  # the steps will need GX and more: load them while dbt works in its own process
        from pef_gx.validation.checkpoint import preload_gx

        preload_gx(target, also=AFTER_DBT)
    invocation = run_dbt(
        ["build", *selection_args(select, exclude)],
        project_dir=project.dir,
        profiles_dir=settings.profiles_dir,
        target=target.name,
        on_node=on_node,
    )
    _raise_for_crash(invocation, target)
    run_results = read_run_results(project.run_results_path) if project.run_results_path.exists() else None
    outcome = BuildOutcome(project, target, invocation, run_results)
    if run_results is not None:
        state = None
        if project.manifest_path.is_file():
            with contextlib.suppress(PefGxError):
                state = build_state(read_manifest(project.manifest_path), run_results)
        outcome.summary = summarise(run_results, state)
    context = BuildContext(
        settings, project, target, tuple(select), tuple(exclude), run_results, outcome.step_results, selected
    )
    with session_scope(target):  # dbt has exited: the steps may share one (Spark) session
        for step in post_run_steps:
            outcome.step_results[step.name] = step.run(context)
    return outcome


def _raise_for_crash(invocation: DbtInvocation, target: Target) -> None:
    """dbt exit 2 (or errors that are about the connection) is bad input, not a failing build."""
    text = " ".join(invocation.errors).lower()
    if any(word in text for word in _CONNECTION_WORDS):
        raise DatabaseError(f"dbt could not reach the warehouse ({target.describe()})", _first(invocation))
    if invocation.returncode >= 2:
        raise DbtError(f"dbt failed: {_first(invocation)}", "run the dbt command with --debug for details")


def _first(invocation: DbtInvocation) -> str:
    for message in invocation.errors:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        if lines:
            # dbt's messages start with a category line ("Runtime Error"); the detail is the next one.
            return " ".join(lines[:3])[:300]
    return f"exit code {invocation.returncode}"
