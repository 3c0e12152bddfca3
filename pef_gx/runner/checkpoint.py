"""The checkpoint: validate the suites against the relations of the current dbt target, write the results.

`run_checkpoint(settings, select, exclude)` is what `pef-gx checkpoint` runs (after a `dbt build` someone
else ran, e.g. the CI post-run step); `CheckpointStep` is the same checkpoint as a post-run step of
`pef-gx build`, right after `dbt build`, carrying dbt's node results of the same build.

Relations come from the manifest (database, schema, alias) of the dbt project's target/ folder. Each run
writes `<root>/.pef-gx/results/<run_id>.json` and `latest.json` (pef_gx.results.writer), atomically and
only when the run completed: a database that goes away mid-run raises DatabaseError (exit 2) and leaves
the results folder as it was.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Manifest, Node, read_manifest
from pef_gx.artifacts.profiles import Target
from pef_gx.artifacts.project import DbtProject
from pef_gx.artifacts.rebuilt import build_state
from pef_gx.artifacts.run_results import RunResults, read_run_results
from pef_gx.errors import ArtifactError, ConfigError, SuiteError
from pef_gx.results.model import DbtNodeRun, RelationStats, ValidationRun
from pef_gx.results.writer import write_run
from pef_gx.runner.build import BuildContext, resolve
from pef_gx.runner.check_results import describe_checks, stale_result
from pef_gx.runner.dbt_cli import dbt_parse
from pef_gx.runner.history_step import HistoryStepResult, persist_run
from pef_gx.settings import Settings
from pef_gx.warehouse import preflight
from pef_gx.warehouse.timeouts import LOCK_S

BUILT_TYPES = ("model", "seed", "snapshot")


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:6]}"


def run_checkpoint(
    settings: Settings,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    *,
    command: str = "checkpoint",
    project: DbtProject | None = None,
    target: Target | None = None,
    run_results: RunResults | None = None,
    node_ids: Sequence[str] | None = None,
    build_docs: bool = True,
    write: bool = True,
    detail_limit: int | None = None,
    include_stale: bool = False,
    on_wait: Callable[[str], None] | None = None,
    docs_later: bool = False,
) -> ValidationRun:
    """Validate the suites of the selected nodes (all without select/exclude); returns the ValidationRun.

    `docs_later`: the Data Docs are built by finish_docs() (once, with the tests judged after the run).

    `node_ids` (instead of select/exclude) restricts to those nodes; `run_results` (default: the
    project's target/run_results.json when present) supplies dbt's node results and invocation id.
    A relation that dbt invocation did not rebuild (it failed, was skipped or not run) is not validated:
    its checks get status "stale" with the reason, unless `include_stale` (then it is checked as it is).
    A run where nothing was validated does not replace latest.json (pef_gx.results.writer).
    """
    from pef_gx.validation.checkpoint import count_rows, run_validations
    from pef_gx.validation.engine import DETAIL_LIMIT, Relation
    from pef_gx.validation.suites import load_suites
    from pef_gx.warehouse import dialect as sql_dialect

    started = datetime.now(timezone.utc)
    if project is None or target is None:
        project, target = resolve(settings)
    manifest = read_manifest(project.manifest_path)
    suites = load_suites(settings.suites_dir)
    if not suites and command == "checkpoint":
        raise SuiteError(f"no expectation suites in {settings.suites_dir}", "run `pef-gx generate` first")
    if run_results is None and command == "checkpoint" and project.run_results_path.is_file():
        run_results = read_run_results(project.run_results_path)

    wanted: set[str] | None = None
    if node_ids is not None:
        wanted = set(node_ids)
    elif select or exclude:
        from pef_gx.runner.selection import select_node_ids

        wanted = set(select_node_ids(settings, project, manifest, select, exclude))

    relations = {uid: _relation(node) for uid, node in manifest.nodes.items()}
    suite_nodes = {s.name: _node_for_suite(s.name, s.node_id, manifest) for s in suites}
    chosen = [s for s in suites if wanted is None or (suite_nodes[s.name] in wanted)]
    state = build_state(manifest, run_results)
    stale: dict[str, str] = {}
    if state is not None and not include_stale:
        for suite in chosen:
            reason = state.stale_reason(suite_nodes[suite.name] or "")
            if reason:
                stale[suite.name] = reason
    stale_checks = [
        stale_result(check, suite, suite_nodes[suite.name], stale[suite.name])
        for suite in chosen
        if suite.name in stale
        for check in suite.checks
    ]
    chosen = [s for s in chosen if s.name not in stale]
    by_suite: dict[str, Relation | None] = {s.name: relations.get(suite_nodes[s.name] or "") for s in chosen}

    def resolve_ref(unique_id: str) -> str:
        relation = relations.get(unique_id)
        if relation is None:
            raise SuiteError(
                f"a check refers to {unique_id}, which is not in the manifest", "regenerate the suites"
            )
        # the suites' SQL is written with double-quoted names; the compiled engine translates it for Spark
        return sql_dialect.relation_sql("postgres", relation.schema, relation.identifier)

    preflight.check_relations(
        target,
        sorted({(r.schema, r.identifier) for r in by_suite.values() if r is not None}),
        target.lock_timeout_s or LOCK_S,
        on_wait,
    )
    run_id = new_run_id(started)
    outcome = run_validations(
        target,
        settings.gx_dir,
        settings.suites_dir,
        chosen,
        by_suite,
        resolve_ref,
        run_id,
        started,
        build_docs=build_docs,
        detail_limit=detail_limit or DETAIL_LIMIT,
        on_wait=on_wait,
        engine=settings.engine,
        docs_later=docs_later,
    )
    docs_index = outcome.data_docs_index
    if docs_later and outcome.docs is not None:
        _PENDING_DOCS[run_id] = outcome.docs
        docs_index = outcome.docs.index_path
    counts = dict(outcome.row_counts)
    built = _built_ids(run_results) if command == "build" else []
    missing = [relations[uid] for uid in built if uid in relations and uid not in counts]
    counts.update(count_rows(target, missing))
    finished = datetime.now(timezone.utc)
    run = ValidationRun(
        run_id=run_id,
        project=project.name,
        target_name=target.name,
        target_type=target.type,
        schema=target.schema,
        command=command,
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        elapsed_s=round((finished - started).total_seconds(), 3),
        checks=[*describe_checks(outcome.checks, chosen, started), *stale_checks],
        dbt_invocation_id=run_results.invocation_id if run_results else None,
        dbt_elapsed_s=run_results.elapsed_time if run_results else None,
        dbt_nodes=_dbt_nodes(run_results),
        relations=[RelationStats(node_id=uid, row_count=n) for uid, n in sorted(counts.items())],
        data_docs_index=str(docs_index) if docs_index else None,
        phases=outcome.phases,  # the same dict: finish_docs() adds the Data Docs' time
    )
    if write:
        write_run(run, settings.root)
    return run


_PENDING_DOCS: dict[str, Any] = {}  # run id -> DocsJob of a run whose Data Docs wait for finish_docs()


def finish_docs(settings: Settings, run: ValidationRun, later: dict[str, list[dict[str, Any]]]) -> None:
    """Build the run's Data Docs once, with `later` (suite -> results judged after the checkpoint).

    A run whose Data Docs were built already gets `later` added to its stored results and pages."""
    job = _PENDING_DOCS.pop(run.run_id, None)
    if job is not None:
        job.finish(later)
    elif later and run.data_docs_index:
        from pef_gx.validation.docs import add_results

        add_results(settings.gx_dir, settings.suites_dir, run.run_id, later)


def checkpoint_and_record(
    settings: Settings,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    *,
    build_docs: bool = True,
    include_stale: bool = False,
    parse: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> tuple[ValidationRun, HistoryStepResult]:
    """`pef-gx checkpoint`: validate, record the run (history, alerts), then write the results file.

    (`pef-gx build` records through its HistoryStep instead, with dbt's node results of the build.)
    """
    from pef_gx.runner.custom_tests_step import apply_custom_tests, project_rules

    project_rules(settings)  # a bad `quality_score:` in pef-gx.yml stops before anything runs
    project, target = resolve(settings)
    if parse:
        dbt_parse(project.dir, settings.profiles_dir, settings.target)
    run = run_checkpoint(
        settings,
        select,
        exclude,
        project=project,
        target=target,
        build_docs=build_docs,
        include_stale=include_stale,
        write=False,
        on_wait=on_wait,
        docs_later=build_docs,
    )
    apply_custom_tests(settings, run, write=False)  # quality-score and build-time tests, then Data Docs
    _results_file, history = persist_run(settings, run, target)
    if build_docs:
        from pef_gx.runner.site import refresh_site

        refresh_site(settings)  # the pef-gx pages, from the results files now live
    return run, history


def _relation(node: Node) -> Any:
    from pef_gx.validation.engine import Relation

    keys = tuple(node.primary_key)
    if not keys:
        keys = tuple(c.name for c in node.columns.values() if _is_key(c.constraints))
    return Relation(
        node_id=node.unique_id,
        name=node.name,
        schema=str(node.schema or ""),
        identifier=node.identifier,
        database=node.database,
        key_columns=keys,
    )


def _is_key(constraints: Sequence[Any]) -> bool:
    return any(str(c.get("type")) in ("primary_key", "unique") for c in constraints if hasattr(c, "get"))


def _node_for_suite(name: str, node_id: str | None, manifest: Manifest) -> str | None:
    if node_id and node_id in manifest.nodes:
        return node_id
    for node in manifest.nodes.values():
        if node.suite_name == name:
            return node.unique_id
    matches = manifest.by_name().get(name) or []
    return matches[0] if len(matches) == 1 else None


def _built_ids(run_results: RunResults | None) -> list[str]:
    if run_results is None:
        return []
    return [
        r.unique_id for r in run_results.results if r.resource_type in BUILT_TYPES and r.status == "success"
    ]


def _dbt_nodes(run_results: RunResults | None) -> list[DbtNodeRun]:
    if run_results is None:
        return []
    return [
        DbtNodeRun(r.unique_id, r.status, r.execution_time, r.message, r.failures, r.rows_affected)
        for r in run_results.results
    ]


@dataclass
class CheckpointStepResult:
    run: ValidationRun | None
    skipped: str | None = None  # why no checkpoint ran (no suites yet)
    results_file: Path | None = None


class CheckpointStep:
    """Post-run step of `pef-gx build`: the checkpoint against what dbt just built."""

    name = "checkpoint"

    def __init__(self, on_wait: Callable[[str], None] | None = None, include_stale: bool = False) -> None:
        self.on_wait = on_wait  # told about long waits for a lock
        self.include_stale = include_stale

    def run(self, context: BuildContext) -> CheckpointStepResult:
        from pef_gx.validation.suites import suite_files

        settings = context.settings
        if not suite_files(settings.suites_dir):
            return CheckpointStepResult(None, f"no suites in {settings.suites_dir} (run `pef-gx generate`)")
        if not context.project.manifest_path.is_file():
            raise ConfigError("dbt build wrote no manifest.json", "see dbt's output above")
        # A selected build checks what it selected, as `dbt build --select` tests only that: the nodes
        # outside the selection are not checked at all; selected ones dbt did not rebuild are stale.
        node_ids = list(context.selected) if context.selected is not None else None
        run = run_checkpoint(
            settings,
            command="build",
            project=context.project,
            target=context.target,
            run_results=context.run_results,
            node_ids=node_ids,
            include_stale=self.include_stale,
            write=False,  # the history step records it, then writes the results file (in that order)
            on_wait=self.on_wait,
            docs_later=True,  # built once by the custom-tests step, with the tests it judges
        )
        return CheckpointStepResult(run)


# --- Data Docs (`pef-gx docs`) ---------------------------------------------------------------------


def docs_index(settings: Settings, rebuild: bool = False) -> Path:
    """The Data Docs index.html; ArtifactError when no checkpoint built it yet."""
    from pef_gx.runner.site import write_site
    from pef_gx.validation.checkpoint import build_docs_only
    from pef_gx.validation.context import gx_paths

    if rebuild:
        return write_site(settings, build_docs_only(settings.gx_dir, settings.suites_dir).parent)
    index = gx_paths(settings.gx_dir, settings.suites_dir).docs_index
    if not index.is_file():
        raise ArtifactError(
            f"no Data Docs at {index}",
            "run `pef-gx checkpoint` or `pef-gx build` (or `pef-gx docs --rebuild`)",
        )
    return write_site(settings, index.parent)  # the pef-gx pages, fresh from the results history


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_docs(folder: Path, port: int = 8008) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (only) in a background thread; yields the URL of index.html."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ConfigError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}", "pass another --port"
        ) from None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
