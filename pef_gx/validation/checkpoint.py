"""Run the suites against the current target: concurrently per relation, then store and render the results.

`run_validations` is the GX checkpoint of pef-gx: one validation per suite (one relation each), at most
`target.threads` at a time, every engine disposed at the end (DuckDB's file is free for the next dbt
run), the results stored in GX's validation store and the Data Docs site rebuilt offline-ready.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.results.model import CheckResult
from pef_gx.validation import compiled_engine
from pef_gx.validation.compiled_engine import GX_TYPES
from pef_gx.validation.engine import DETAIL_LIMIT, Relation, SuiteOutcome, lost, validate_suite
from pef_gx.validation.suites import Check, Suite

LOCK_WAIT_S = 10.0


@dataclass
class CheckpointOutcome:
    suites: list[SuiteOutcome] = field(default_factory=list)
    data_docs_index: Path | None = None
    elapsed_s: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: validation, gx_wait, data_docs
    docs: DocsJob | None = None  # the Data Docs of this run (built, or waiting for finish())

    @property
    def checks(self) -> list[CheckResult]:
        return [c for outcome in self.suites for c in outcome.checks]

    @property
    def row_counts(self) -> dict[str, int | None]:
        return {o.relation.node_id: o.row_count for o in self.suites if o.relation is not None}


ENGINES = ("compiled", "gx")


def run_validations(
    target: Target,
    gx_dir: Path,
    suites_dir: Path,
    suites: Sequence[Suite],
    relations: Mapping[str, Relation | None],
    resolve: Callable[[str], str],
    run_name: str,
    run_time: datetime,
    build_docs: bool = True,
    detail_limit: int = DETAIL_LIMIT,
    on_wait: Callable[[str], None] | None = None,
    engine: str = "compiled",
    docs_later: bool = False,
) -> CheckpointOutcome:
    """Validate each suite against `relations[suite.name]`; raises DatabaseError when the database goes away.

    engine "compiled": pef-gx's SQL (pef_gx.validation.compiler) runs every expectation it knows, GX the
    rest, in the same run; "gx": GX runs everything. GX (a 3 s import) is loaded in the background while
    the compiled queries run, and only when the Data Docs are built or a check needs it. With
    `docs_later`, the Data Docs wait for `outcome.docs.finish(...)`, which adds the results judged after
    the checkpoint (quality-score and build-time tests) and builds the site once.
    """
    started = time.perf_counter()
    if target.type == "duckdb":
        wait_for_duckdb(target, on_wait=on_wait)
    gx = _GxLoader(target, gx_dir, suites_dir)
    schema_checks = target.type not in GX_TYPES  # type checks: compiled where GX is not connected
    needs_gx = any(not compiled_engine.compiler.compiles(c, schema_checks) for s in suites for c in s.checks)
    if build_docs or engine == "gx" or needs_gx:
        gx.start()  # in the background: it overlaps the compiled queries
    outcome = CheckpointOutcome()
    workers = max(1, min(int(target.threads or 1), len(suites) or 1))
    leftovers: dict[str, list[Check]] = {}
    # fewer tables than threads: a table's statements may run side by side on other connections
    spare = len(suites) < int(target.threads or 1)
    if target.type == "spark":  # one session runs the queries (Spark parallelises each one itself)
        workers = 1
    if engine == "gx":
        outcome.suites = [SuiteOutcome(suite=s, relation=relations.get(s.name)) for s in suites]
        leftovers = {s.name: list(s.checks) for s in suites}
    else:
        from pef_gx.warehouse.connection import session_scope

        with session_scope(target), _Connections(target) as connections:
            schemas = {r.schema for r in relations.values() if r is not None}

            def on_lost(exc: BaseException) -> DatabaseError:
                return lost(target, "reading the catalog", exc)

            known = connections.run(lambda conn: compiled_engine.all_columns(conn, target, schemas, on_lost))
            estimates = connections.run(
                lambda conn: compiled_engine.row_estimates(conn, target, schemas, on_lost)
            )
            compiled = _in_parallel(
                workers,
                [
                    lambda s=s: connections.run(
                        lambda conn: compiled_engine.validate_suite(
                            conn,
                            target,
                            s,
                            relations.get(s.name),
                            resolve,
                            detail_limit,
                            known_columns=known,
                            estimates=estimates,
                            spare=connections.run if spare else None,
                        )
                    )
                    for s in suites
                ],
            )
        outcome.suites = [o for o, _ in compiled]
        leftovers = {o.suite.name: rest for o, rest in compiled if rest}
    if leftovers and target.type not in GX_TYPES:
        _not_on_gx(target, outcome.suites, leftovers)
        leftovers = {}
    if leftovers:
        context = gx.context(outcome.phases)
        todo = [o for o in outcome.suites if o.suite.name in leftovers]
        by_gx = _in_parallel(
            workers,
            [
                lambda o=o: validate_suite(
                    context,
                    target,
                    replace(o.suite, checks=tuple(leftovers[o.suite.name])),
                    o.relation,
                    resolve,
                    run_name,
                    detail_limit,
                )
                for o in todo
            ],
        )
        for mine, theirs in zip(todo, by_gx, strict=True):
            _merge(mine, theirs)
    outcome.phases["validation"] = round(time.perf_counter() - started - outcome.phases.get("gx_wait", 0), 3)
    if build_docs:
        outcome.docs = DocsJob(gx, outcome, run_name, run_time)
        if not docs_later:
            outcome.data_docs_index = outcome.docs.finish({})
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


class DocsJob:
    """Store this run's GX results and build the Data Docs once, with any results judged later."""

    def __init__(self, gx: _GxLoader, outcome: CheckpointOutcome, run_name: str, run_time: datetime) -> None:
        self.gx, self.outcome, self.run_name, self.run_time = gx, outcome, run_name, run_time
        self.index: Path | None = None

    def finish(self, later: Mapping[str, Sequence[dict[str, Any]]]) -> Path:
        """`later`: suite name -> results judged after the checkpoint (pef_gx.validation.docs entries)."""
        from pef_gx.validation import docs
        from pef_gx.validation.engine import docs_result

        if self.index is not None:
            return self.index
        started = time.perf_counter()
        phases = self.outcome.phases
        context = self.gx.context(phases)
        for o in self.outcome.suites:
            o.gx_result = docs_result(o.suite, o.results, o.errors, o.meta, self.run_name)
            if later.get(o.suite.name):
                docs.append_entries(o.gx_result, later[o.suite.name])
        stored = docs.store_results(
            context,
            [(o.suite.name, _batch_id(o), o.gx_result) for o in self.outcome.suites],
            self.run_name,
            self.run_time,
        )
        paths = self.gx.paths
        suite_pages = docs.changed_suite_pages(paths, [o.suite.name for o in self.outcome.suites])
        rendering = time.time() - 1.0  # (file times may be coarser than the clock)
        self.index = docs.build(context, paths.docs_dir, [*_suite_keys(list(suite_pages)), *stored])
        docs.remember_suite_pages(paths.docs_dir, suite_pages, since=rendering)
        phases["data_docs"] = round(time.perf_counter() - started - phases.get("gx_wait_docs", 0), 3)
        self.outcome.data_docs_index = self.index
        return self.index

    @property
    def index_path(self) -> Path:
        from pef_gx.validation.context import gx_paths

        return gx_paths(self.gx.gx_dir, self.gx.suites_dir).docs_index


def _not_on_gx(
    target: Target, outcomes: Sequence[SuiteOutcome], leftovers: Mapping[str, list[Check]]
) -> None:
    """Checks only GX can run, on a warehouse GX is not connected to here: an error each, saying why."""
    from pef_gx.validation.engine import error_result

    for o in outcomes:
        rest = leftovers.get(o.suite.name)
        if not rest:
            continue
        reason = (
            f"runs only through GX, which pef-gx does not connect to {target.type} "
            "(the compiled engine runs the other checks)"
        )
        errors = {c.index: f"{c.gx_type} {reason}" for c in rest}
        theirs = SuiteOutcome(suite=replace(o.suite, checks=tuple(rest)), relation=o.relation)
        theirs.checks = [error_result(c, o.suite, o.relation, errors[c.index]) for c in rest]
        theirs.errors = errors
        _merge(o, theirs)


def _merge(mine: SuiteOutcome, theirs: SuiteOutcome) -> None:
    """GX's results for the checks the compiler left, into the suite's outcome (in the suite's order)."""
    by_gx = {c.index for c in theirs.suite.checks}
    compiled, gx = iter(mine.checks), iter(theirs.checks)
    mine.checks = [next(gx) if c.index in by_gx else next(compiled) for c in mine.suite.checks]
    mine.results.update(theirs.results)
    mine.errors.update(theirs.errors)
    mine.meta = mine.meta or theirs.meta
    mine.row_count = mine.row_count if mine.row_count is not None else theirs.row_count
    mine.elapsed_s += theirs.elapsed_s


def _in_parallel(workers: int, jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the jobs on `workers` threads; the first DatabaseError (a lost connection) ends the run."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pef-gx-validate") as pool:
        futures = [pool.submit(job) for job in jobs]
        _done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        wait(futures)
        for future in futures:
            if not future.cancelled() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        return [f.result() for f in futures]


class _Connections:
    """One DB-API connection per worker thread, all closed at the end (DuckDB: the file is free again)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._free: list[Any] = []
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._file: tuple[int, int] | None = None

    def run(self, job: Callable[[Any], Any]) -> Any:
        from pef_gx.warehouse.connection import connect

        with self._lock:
            conn = self._free.pop() if self._free else None
        if conn is None:
            conn = connect(self.target, read_only=True, memory_budget=True)
            with self._lock:
                self._all.append(conn)
                self._file = self._file or _file_identity(self.target)
        try:
            result = job(conn)
        finally:
            with self._lock:
                self._free.append(conn)
        self._still_there()
        return result

    def _still_there(self) -> None:
        """An open DuckDB handle outlives its file: a file removed or replaced mid-run ends the run."""
        if self._file is not None and _file_identity(self.target) != self._file:
            raise lost(
                self.target,
                "validating",
                f"DuckDB file {self.target.path} does not exist any more (removed or replaced during the run)",
            )

    def __enter__(self) -> _Connections:
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self._all:
            with contextlib.suppress(Exception):
                conn.close()


def _file_identity(target: Target) -> tuple[int, int] | None:
    if target.type != "duckdb" or target.path is None:
        return None
    try:
        stat = os.stat(target.path)
    except OSError:
        return (-1, -1)
    return (stat.st_dev, stat.st_ino)


def preload_gx(target: Target | None = None, also: Sequence[str] = ()) -> None:
    """Import GX (3-6 s), the checkpoint's other modules for `target` and the modules `also` names on a
    background thread, e.g. while dbt runs in its own process: the checkpoint that follows then finds them
    loaded. A failed import is left for the checkpoint to report."""
    import importlib

    modules = [
        "pef_gx.validation.compiled_engine",
        "pef_gx.validation.context",
        "pef_gx.validation.custom_expectations",
        "pef_gx.validation.docs",
        "pef_gx.validation.renderers",
        "pef_gx.validation.site_sections",
    ]
    if target is not None and target.type in ("duckdb", "postgres"):  # (the suites' own SQL is PostgreSQL's)
        modules += [f"sqlglot.dialects.{target.type}", "sqlglot.dialects.postgres"]
    if target is not None and target.type == "duckdb":
        modules += ["duckdb", "pef_gx.validation.duckdb_fix", "duckdb_engine"]

    def load() -> None:
        with contextlib.suppress(Exception):  # Linux: a thread has its own nice value; dbt's work goes first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        with contextlib.suppress(Exception):
            import great_expectations  # noqa: F401

            for name in [*modules, *also]:
                importlib.import_module(name)

    threading.Thread(target=load, name="pef-gx-preload", daemon=True).start()


class _GxLoader:
    """GX's import and context, started in the background so it overlaps the compiled queries."""

    def __init__(self, target: Target, gx_dir: Path, suites_dir: Path) -> None:
        self.target, self.gx_dir, self.suites_dir = target, gx_dir, suites_dir
        self._future: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self.paths: Any = None

    def _load(self) -> Any:
        if self.target.type == "duckdb":
            from pef_gx.validation import duckdb_fix

            duckdb_fix.apply()
        import pef_gx.validation.custom_expectations  # noqa: F401  (pef-gx's own types, for GX to run)
        from pef_gx.validation.context import make_context

        context, self.paths = make_context(self.gx_dir, self.suites_dir)
        return context

    def start(self) -> None:
        if self._future is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pef-gx-import")
            self._future = self._pool.submit(self._load)
            self._pool.shutdown(wait=False)

    def context(self, phases: dict[str, float] | None = None) -> Any:
        """GX's context; the time spent waiting for the import is added to phases["gx_wait"]."""
        self.start()
        waited = time.perf_counter()
        context = self._future.result()
        if phases is not None:
            phases["gx_wait"] = round(phases.get("gx_wait", 0) + time.perf_counter() - waited, 3)
        return context


def _batch_id(outcome: SuiteOutcome) -> str:
    return outcome.relation.display if outcome.relation else f"missing__{outcome.suite.name}"


def _suite_keys(names: Sequence[str]) -> list[Any]:
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    return [ExpectationSuiteIdentifier(name=n) for n in names]


def build_docs_only(gx_dir: Path, suites_dir: Path) -> Path:
    """Rebuild the whole Data Docs site from the stores (no validation)."""
    from pef_gx.validation import docs
    from pef_gx.validation.context import make_context

    context, paths = make_context(gx_dir, suites_dir)
    return docs.build(context, paths.docs_dir)


def wait_for_duckdb(
    target: Target, timeout_s: float | None = None, on_wait: Callable[[str], None] | None = None
) -> None:
    """The DuckDB file exists and no other process holds its write lock (waits up to the lock timeout)."""
    import duckdb

    from pef_gx.warehouse.connection import duckdb_open_error, lock_holder

    assert target.path is not None
    if not target.path.is_file():
        raise DatabaseError(
            f"DuckDB file {target.path} does not exist", "run `pef-gx build` first to create it"
        )
    if timeout_s is None:
        timeout_s = target.lock_timeout_s or LOCK_WAIT_S
    started = time.monotonic()
    told = 0.0
    while True:
        try:
            duckdb.connect(str(target.path), read_only=True).close()
            return
        except duckdb.Error as exc:
            waited = time.monotonic() - started
            if "lock" not in str(exc).lower() or waited >= timeout_s:
                raise duckdb_open_error(target, exc, waited) from None
            if on_wait and waited - told >= 5:
                told = waited
                holder = lock_holder(str(exc)) or "another process"
                on_wait(f"waiting for {holder} to release {target.path} ({waited:.0f}s of {timeout_s:.0f}s)")
        time.sleep(0.25)


def count_rows(target: Target, relations: Sequence[Relation]) -> dict[str, int | None]:
    """One `count(*)` per relation (None when it does not exist), for relations no suite validated."""
    if not relations:
        return {}
    from pef_gx.warehouse.connection import connect

    counts: dict[str, int | None] = {}
    conn = connect(target, read_only=True)
    try:
        for relation in relations:
            cur = conn.cursor()
            try:
                from pef_gx.warehouse import dialect as sqld

                name = sqld.relation_sql(sqld.dialect_of(target.type), relation.schema, relation.identifier)
                cur.execute(f"select count(*) from {name}")
                counts[relation.node_id] = int(cur.fetchone()[0])
            except Exception as exc:
                from pef_gx.validation.engine import is_connection_lost

                if is_connection_lost(str(exc)):
                    raise lost(target, f"counting rows of {relation.display}", exc) from None
                counts[relation.node_id] = None
                if target.type == "postgres":
                    conn.rollback()
            finally:
                cur.close()
    finally:
        conn.close()
    return counts
