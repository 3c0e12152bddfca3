"""Run the suites against the current target: concurrently per relation, then store and render the results.

`run_validations` is the GX checkpoint of pef-gx: one validation per suite (one relation each), at most
`target.threads` at a time, every engine disposed at the end (DuckDB's file is free for the next dbt
run), the results stored in GX's validation store and the Data Docs site rebuilt offline-ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.results.model import CheckResult
from pef_gx.validation.engine import DETAIL_LIMIT, Relation, SuiteOutcome, lost, validate_suite
from pef_gx.validation.suites import Suite

LOCK_WAIT_S = 10.0


@dataclass
class CheckpointOutcome:
    suites: list[SuiteOutcome] = field(default_factory=list)
    data_docs_index: Path | None = None
    elapsed_s: float = 0.0

    @property
    def checks(self) -> list[CheckResult]:
        return [c for outcome in self.suites for c in outcome.checks]

    @property
    def row_counts(self) -> dict[str, int | None]:
        return {o.relation.node_id: o.row_count for o in self.suites if o.relation is not None}


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
) -> CheckpointOutcome:
    """Validate each suite against `relations[suite.name]`; raises DatabaseError when the database goes away."""
    started = time.perf_counter()
    if target.type == "duckdb":
        from pef_gx.validation import duckdb_fix

        duckdb_fix.apply()
        wait_for_duckdb(target, on_wait=on_wait)
    from pef_gx.validation.context import make_context

    context, paths = make_context(gx_dir, suites_dir)
    outcome = CheckpointOutcome()
    workers = max(1, min(int(target.threads or 1), len(suites) or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pef-gx-validate") as pool:
        futures = [
            pool.submit(
                validate_suite, context, target, s, relations.get(s.name), resolve, run_name, detail_limit
            )
            for s in suites
        ]
        _done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        wait(futures)
        for future in futures:
            if not future.cancelled() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]
        outcome.suites = [f.result() for f in futures]
    if build_docs:
        from pef_gx.validation import docs

        stored = docs.store_results(
            context,
            [(o.suite.name, _batch_id(o), o.gx_result) for o in outcome.suites if o.gx_result is not None],
            run_name,
            run_time,
        )
        suite_keys = _suite_keys([o.suite.name for o in outcome.suites])
        outcome.data_docs_index = docs.build(context, paths.docs_dir, [*suite_keys, *stored])
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


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
                cur.execute(f"select count(*) from {relation.sql}")
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
