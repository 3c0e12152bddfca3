"""Validate one suite against its relation with GX, cheaply, and turn the outcome into CheckResults.

GX runs what the compiled engine (pef_gx.validation.compiled_engine) leaves to it, or every check with
`--engine gx`. This module also turns any result, GX's or compiled, into pef-gx's CheckResult and the
suite's GX validation result for the Data Docs. Per suite (one relation):

1. One query for the relation's columns and one `count(*)`: a missing table or column becomes a check
   with status "error" and the reason, without asking GX (which would fail the whole batch).
2. GX runs the column and table expectations with result format BOOLEAN_ONLY: per-column aggregates of
   one table come as one `SELECT sum(CASE ...)`, and no sample queries run. Unexpected-rows expectations
   run with COMPLETE at the same cost (GX fetches their rows for any format), which gives their count
   and a few rows. A check with a dbt `where:` runs on a query asset filtered by it (GX's row_condition
   rejects raw SQL on SQL).
3. Only the expectations that failed run again, result format BASIC with `partial_unexpected_count`
   = the detail limit: their unexpected count, percent and a few values.
4. dbt's warn_if / error_if turn the failure count into pass / warn / fail.

A connection lost mid-run (server gone, backend terminated, DuckDB file gone or locked) is a
DatabaseError (exit 2), never a row of failed checks.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.results.model import CheckResult
from pef_gx.validation.suites import UNEXPECTED_ROWS, Check, Suite
from pef_gx.validation.thresholds import verdict
from pef_gx.warehouse import faults

DETAIL_LIMIT = 5  # unexpected values kept per failing check
QUERY_TIME = "expect_query_execution_time_to_be_below"  # pef_gx.validation.custom_expectations
_FULL_RESULT = (UNEXPECTED_ROWS, QUERY_TIME)  # run with COMPLETE: their result carries what they measured
INDEX_KEY = "pef_gx_index"  # in each expectation's meta while it runs: which check a result belongs to

_GONE = re.compile(
    r"terminating connection|server closed the connection|connection already closed|could not connect"
    r"|connection to server|connection refused|ssl syscall error|no connection to the server"
    r"|the connection is closed|could not receive data|connection not open|server process"
    r"|io error|could not set lock|database does not exist|not a valid duckdb database|cannot open database"
    r"|could not read enough bytes|no such file or directory",
    re.IGNORECASE,
)
_SELECT_STAR = re.compile(r"^\s*select\s+\*\s+from\s", re.IGNORECASE)
_SQL_WORDS = {
    "where", "join", "inner", "left", "right", "full", "cross", "natural", "on", "group", "order", "having",
    "limit", "offset", "union", "except", "intersect", "window", "qualify", "using", "lateral", "fetch",
}  # fmt: skip
_BATCH_ALIAS = re.compile(r"\{batch\}(\s+as)?\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_context_lock = threading.Lock()  # GX's context is not made for concurrent data source edits


@dataclass(frozen=True)
class Relation:
    """Where a dbt node lives on the current target."""

    node_id: str
    name: str
    schema: str
    identifier: str
    database: str | None = None
    key_columns: tuple[str, ...] = ()

    @property
    def sql(self) -> str:
        return f"{quote(self.schema)}.{quote(self.identifier)}"

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.identifier}"


@dataclass
class SuiteOutcome:
    suite: Suite
    relation: Relation | None
    checks: list[CheckResult] = field(default_factory=list)
    gx_result: Any = None  # ExpectationSuiteValidationResult for the Data Docs
    row_count: int | None = None
    elapsed_s: float = 0.0
    results: dict[int, Any] = field(default_factory=dict)  # each check's raw result (GX's, or compiled)
    errors: dict[int, str] = field(default_factory=dict)  # checks that could not run, and why
    meta: Any = None
    statements: int = 0  # SQL statements the compiled engine ran


def quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def is_connection_lost(text: str) -> bool:
    """The run cannot go on: the connection went away, or a grant, timeout or full disk stopped it."""
    return bool(_GONE.search(text or "")) or faults.classify(text or "") is not None


def lost(target: Target, what: str, exc: BaseException | str) -> DatabaseError:
    """One line for a fault that ends the run (never a row of failed checks)."""
    return faults.run_stopped(target, what, exc)


def validate_suite(
    context: Any,
    target: Target,
    suite: Suite,
    relation: Relation | None,
    resolve: Callable[[str], str],
    run_name: str,
    detail_limit: int = DETAIL_LIMIT,
) -> SuiteOutcome:
    started = time.perf_counter()
    outcome = SuiteOutcome(suite=suite, relation=relation)
    if relation is None:
        reason = f"suite '{suite.name}' names no dbt node of this project (node {suite.node_id or 'unknown'})"
        outcome.checks = [error_result(c, suite, None, reason) for c in suite.checks]
        outcome.errors = {c.index: reason for c in suite.checks}
        outcome.elapsed_s = time.perf_counter() - started
        return outcome
    datasource = _guarded(target, suite, lambda: _datasource(context, target, suite.name))
    try:
        _guarded(
            target,
            suite,
            lambda: _validate_relation(
                context, target, suite, relation, datasource, resolve, detail_limit, outcome, run_name
            ),
        )
    finally:
        _dispose(datasource)
    outcome.elapsed_s = time.perf_counter() - started
    per_check = outcome.elapsed_s / max(len(outcome.checks), 1)
    outcome.checks = [_with_elapsed(c, per_check, "gx") for c in outcome.checks]
    return outcome


def _validate_relation(
    context: Any,
    target: Target,
    suite: Suite,
    relation: Relation,
    datasource: Any,
    resolve: Callable[[str], str],
    detail_limit: int,
    outcome: SuiteOutcome,
    run_name: str,
) -> None:
    columns, row_count = _inspect(datasource, target, relation)
    outcome.row_count = row_count
    errors: dict[int, str] = {}
    if columns is None:
        reason = f"relation {relation.display} does not exist on target {target.name} (run dbt build?)"
        errors = {c.index: reason for c in suite.checks}
    else:
        lower = {c.lower() for c in columns}
        for check in suite.checks:
            missing = [c for c in check.columns if c.lower() not in lower]
            if missing:
                errors[check.index] = (
                    f"column {', '.join(missing)} not in relation {relation.display} "
                    f"(columns: {', '.join(sorted(columns))[:200]})"
                )
    runnable = [c for c in suite.checks if c.index not in errors]
    gx_results: dict[int, Any] = {}
    meta = None
    groups: dict[str | None, list[Check]] = {}
    for check in runnable:
        groups.setdefault(check.where if check.needs_filtered_batch else None, []).append(check)
    for number, (where, checks) in enumerate(sorted(groups.items(), key=lambda kv: kv[0] or "")):
        batch = _batch(context, datasource, relation, where, number)
        group_results, group_meta = _run_group(batch, checks, relation, resolve, detail_limit, target, suite)
        gx_results.update(group_results)
        meta = meta or group_meta
    by_index = {c.index: c for c in suite.checks}
    for index in sorted(by_index):
        check = by_index[index]
        if index in errors:
            outcome.checks.append(error_result(check, suite, relation, errors[index]))
        else:
            filtered = check.needs_filtered_batch
            result = to_check_result(
                check, suite, relation, gx_results[index], None if filtered else row_count, detail_limit
            )
            outcome.checks.append(result)
            _fill_boolean_only(gx_results[index], result)
    outcome.results, outcome.errors, outcome.meta = gx_results, errors, meta


def _fill_boolean_only(gx_result: Any, check: CheckResult) -> None:
    """A BOOLEAN_ONLY pass carries no counts; give the Data Docs the ones we know (0 unexpected of N)."""
    if gx_result.result or not gx_result.success or check.unexpected_count is None:
        return
    if check.element_count is None:
        return
    gx_result.result = {
        "element_count": check.element_count,
        "unexpected_count": check.unexpected_count,
        "unexpected_percent": check.unexpected_percent,
        "partial_unexpected_list": [],
    }


def _with_elapsed(result: CheckResult, elapsed: float, engine: str) -> CheckResult:
    from dataclasses import replace

    return replace(result, elapsed_s=round(elapsed, 4), engine=engine)


# --- GX plumbing ----------------------------------------------------------------------------------


def _datasource(context: Any, target: Target, suite_name: str) -> Any:
    from pef_gx.validation.context import connection_string, engine_kwargs

    name = f"pef_gx__{suite_name}"
    with _context_lock:
        if name in context.data_sources.all():
            context.data_sources.delete(name)
        return context.data_sources.add_sql(
            name=name, connection_string=connection_string(target), kwargs=engine_kwargs(target)
        )


def _dispose(datasource: Any) -> None:
    """Give back every connection (DuckDB: release the file for the next dbt run)."""
    with contextlib.suppress(Exception):  # best effort
        datasource.get_engine().dispose()
    # GX's execution engine built a SQLAlchemy engine of its own: left open, each suite kept a connection
    # until the run ended (PostgreSQL: "too many clients" past ~95 suites).
    with contextlib.suppress(Exception):
        execution = getattr(datasource, "_execution_engine", None)
        if execution is not None:
            execution.engine.dispose()


def _inspect(datasource: Any, target: Target, relation: Relation) -> tuple[list[str] | None, int | None]:
    """(columns, row count) of the relation; (None, None) when it does not exist."""
    import sqlalchemy as sa

    try:
        engine = datasource.get_engine()
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "select column_name from information_schema.columns "
                    "where table_schema = :schema and table_name = :name order by ordinal_position"
                ),
                {"schema": relation.schema, "name": relation.identifier},
            ).fetchall()
            if not rows:
                return None, None
            count = conn.execute(sa.text(f"select count(*) from {relation.sql}")).scalar()
            return [str(r[0]) for r in rows], int(count or 0)
    except DatabaseError:
        raise
    except Exception as exc:
        raise lost(target, f"reading {relation.display}", exc) from None


def _batch(context: Any, datasource: Any, relation: Relation, where: str | None, number: int) -> Any:
    with _context_lock:
        if where is None:
            asset = datasource.add_table_asset(
                name=relation.identifier,
                table_name=relation.identifier,
                schema_name=relation.schema,
            )
        else:
            asset = datasource.add_query_asset(
                name=f"{relation.identifier}__where_{number}",
                query=f"select * from {relation.sql} where {where}",
            )
        definition = asset.add_batch_definition_whole_table("all")
    return definition.get_batch()


def _expectation(check: Check, relation: Relation, resolve: Callable[[str], str]) -> Any:
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    kwargs = dict(check.kwargs)
    if check.gx_type == QUERY_TIME:  # the table itself (not GX's subselect), so a lookup can use indexes
        kwargs["query"] = timed_query(str(kwargs.get("query") or ""), relation, resolve)
    if check.gx_type == UNEXPECTED_ROWS:
        kwargs["unexpected_rows_query"] = rows_query(
            str(kwargs.get("unexpected_rows_query") or ""), relation, resolve
        )
    meta = {**dict(check.expectation.get("meta") or {}), INDEX_KEY: check.index}
    config = ExpectationConfiguration(type=check.gx_type, kwargs=kwargs, meta=meta)
    return config.to_domain_obj()


def rows_query(query: str, relation: Relation, resolve: Callable[[str], str]) -> str:
    """Other relations resolved for this target; `select *` narrowed to the key columns when known."""
    try:
        from pef_gx.checks.sql_template import render_relations
    except ImportError:  # pragma: no cover - the generate work ships it
        render_relations = None
    if render_relations is not None:
        query = render_relations(query, resolve)
    query = _alias_safe_batch(query)
    if relation.key_columns and _SELECT_STAR.match(query):
        keys = ", ".join(quote(c) for c in relation.key_columns)
        query = _SELECT_STAR.sub(f"select {keys} from ", query, count=1)
    return query


def timed_query(query: str, relation: Relation, resolve: Callable[[str], str]) -> str:
    """A query-time test's query for this target: `{batch}` and `{ref:<unique_id>}` made relation names."""
    from pef_gx.checks.sql_template import render_relations

    rendered = render_relations(query.replace("{batch}", "\x00batch\x00"), resolve)
    return rendered.replace("{{", "{").replace("}}", "}").replace("\x00batch\x00", relation.sql)


def _alias_safe_batch(query: str) -> str:
    """`{batch} as child` -> `(select * from {batch}) as child`.

    Without a JOIN in the query GX renders `{batch}` as `(SELECT ...) AS subselect`, and an alias the
    query gives the batch itself would then be a syntax error. Wrapping keeps both aliases legal.
    """
    try:
        from great_expectations.expectations.metrics.query_metric_provider import _query_has_join_clause
    except ImportError:  # pragma: no cover - GX moved it: keep the query as written
        return query
    if _query_has_join_clause(query):
        return query

    def wrap(match: re.Match[str]) -> str:
        if match[2].lower() in _SQL_WORDS:
            return match[0]
        return f"(select * from {{batch}}) as {match[2]}"

    return _BATCH_ALIAS.sub(wrap, query)


def _validate(batch: Any, suite_name: str, expectations: list[Any], result_format: Any) -> Any:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
    return batch.validate(suite, result_format=result_format)


def _run_group(
    batch: Any,
    checks: Sequence[Check],
    relation: Relation,
    resolve: Callable[[str], str],
    limit: int,
    target: Target,
    suite: Suite,
) -> tuple[dict[int, Any], Any]:
    results: dict[int, Any] = {}
    meta = None
    plain = [c for c in checks if c.gx_type not in _FULL_RESULT]
    rows = [c for c in checks if c.gx_type in _FULL_RESULT]
    passes: list[tuple[list[Check], Any]] = [(plain, "BOOLEAN_ONLY"), (rows, "COMPLETE")]
    failed: list[Check] = []
    for group, result_format in passes:
        if not group:
            continue
        outcome = _guarded(target, suite, lambda g=group, f=result_format: _validate(
            batch, suite.name, [_expectation(c, relation, resolve) for c in g], f))  # fmt: skip
        meta = meta or outcome.meta
        for check, result in _paired(group, outcome.results):
            _raise_if_lost(target, suite, result)
            results[check.index] = result
            if not result.success and check.gx_type not in _FULL_RESULT and not _raised(result):
                failed.append(check)
    if failed:
        detail_format = {"result_format": "BASIC", "partial_unexpected_count": limit}
        outcome = _guarded(target, suite, lambda: _validate(
            batch, suite.name, [_expectation(c, relation, resolve) for c in failed], detail_format))  # fmt: skip
        for check, result in _paired(failed, outcome.results):
            _raise_if_lost(target, suite, result)
            results[check.index] = result
    return results, meta


def _paired(checks: Sequence[Check], results: Sequence[Any]) -> list[tuple[Check, Any]]:
    """(check, result) pairs; GX does not return results in the suite's order, so match by our index."""
    by_index = {(r.expectation_config.meta or {}).get(INDEX_KEY): r for r in results}
    missing = [c.index for c in checks if c.index not in by_index]
    if missing:  # pragma: no cover - GX changed how it carries meta into results
        raise RuntimeError(f"GX returned no result for expectations {missing}")
    return [(c, by_index[c.index]) for c in checks]


def _guarded(target: Target, suite: Suite, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except DatabaseError:
        raise
    except Exception as exc:
        if is_connection_lost(str(exc)):
            raise lost(target, f"validating suite '{suite.name}'", exc) from None
        raise


def _raised(result: Any) -> str | None:
    """The exception message GX caught for this expectation, if any."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "the expectation raised an error")
    for value in info.values():  # GX 1.x keys exception infos by metric id
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message") or "the expectation raised an error")
        if getattr(value, "raised_exception", False):
            return str(getattr(value, "exception_message", "") or "the expectation raised an error")
    return None


def _raise_if_lost(target: Target, suite: Suite, result: Any) -> None:
    message = _raised(result)
    if message and is_connection_lost(message):
        raise lost(target, f"validating suite '{suite.name}'", message)


# --- results --------------------------------------------------------------------------------------


def _base(check: Check, suite: Suite, relation: Relation | None) -> dict[str, Any]:
    node_id = check.node_id or (relation.node_id if relation else None) or suite.node_id or ""
    return {
        "check_id": check.check_id,
        "suite": suite.name,
        "node_id": node_id,
        "node_name": relation.name if relation else node_id.split(".")[-1],
        "columns": check.columns,
        "kind": check.kind,
        "expectation_type": check.gx_type,
        "origin_type": check.origin_type,
        "origin_ref": check.origin_ref,
        "dimension": check.dimension,
        "severity": check.severity,
        "level": check.level,
    }


def error_result(check: Check, suite: Suite, relation: Relation | None, reason: str) -> CheckResult:
    return CheckResult(**_base(check, suite, relation), status="error", message=reason)


def _json_safe(values: Sequence[Any]) -> tuple[Any, ...]:
    def one(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value

    return tuple(json.loads(json.dumps([one(v) for v in values], default=str)))


def to_check_result(
    check: Check, suite: Suite, relation: Relation, result: Any, row_count: int | None, limit: int
) -> CheckResult:
    base = _base(check, suite, relation)
    raised = _raised(result)
    if raised:
        who = (
            "the check's SQL failed"
            if getattr(result, "engine", "gx") == "compiled"
            else "GX could not run the check"
        )
        return CheckResult(**base, status="error", message=f"{who}: {raised[:300]}")
    details = dict(result.result or {})
    if check.gx_type == QUERY_TIME:
        return _query_time_result(check, base, result, details)
    element_count = details.get("element_count")
    unexpected_count = details.get("unexpected_count")
    unexpected_percent = details.get("unexpected_percent")
    values: list[Any] = list(details.get("partial_unexpected_list") or [])[:limit]
    if check.gx_type == UNEXPECTED_ROWS:
        unexpected_count = details.get("observed_value")
        rows = list((details.get("details") or {}).get("unexpected_rows") or [])[:limit]
        values = [next(iter(r.values())) if isinstance(r, Mapping) and len(r) == 1 else r for r in rows]
        element_count = row_count
        if unexpected_count is not None and row_count:
            unexpected_percent = 100.0 * unexpected_count / row_count
    if result.success and unexpected_count is None and "mostly" not in check.kwargs:
        unexpected_count = 0 if check.level == "row" else None  # BOOLEAN_ONLY: a pass without mostly is clean
        unexpected_percent = 0.0 if check.level == "row" else None
        element_count = element_count if element_count is not None else row_count
    if element_count is None and check.level == "row":
        element_count = row_count
    if result.success:
        status = "pass"
    else:
        failures = int(unexpected_count) if check.level == "row" and unexpected_count is not None else 1
        status = verdict(failures, check.severity, check.warn_if, check.error_if)
    message = None
    if status != "pass":
        observed = details.get("observed_value")
        if unexpected_count is not None and check.level == "table":
            message = f"not met ({unexpected_count} offending row(s) from the check's query)"
        elif unexpected_count is not None:
            of = f" of {element_count}" if element_count is not None else ""
            message = f"{unexpected_count} unexpected{of} rows"
        elif observed is not None:
            message = f"observed {json.dumps(observed, default=str)[:120]}"
        else:
            message = "expectation not met"
    return CheckResult(
        **base,
        status=status,
        element_count=element_count,
        unexpected_count=unexpected_count,
        unexpected_percent=round(float(unexpected_percent), 6) if unexpected_percent is not None else None,
        unexpected_values=_json_safe(values) if status != "pass" else (),
        message=message,
    )


def _query_time_result(
    check: Check, base: dict[str, Any], result: Any, details: Mapping[str, Any]
) -> CheckResult:
    """A query-time test: pass, or warn/fail by its severity; the median and the limit always in the message."""
    timing = dict(details.get("details") or {})
    median, limit = timing.get("median_ms"), timing.get("max_ms", check.kwargs.get("max_ms"))
    runs = timing.get("repeat", check.kwargs.get("repeat"))
    name = check.kwargs.get("query_name") or "query"
    status = "pass" if result.success else verdict(1, check.severity, check.warn_if, check.error_if)
    over = "within" if result.success else "over"
    message = (
        f"query '{name}': median {median} ms of {runs} runs, {over} the limit of {float(limit or 0):g} ms"
    )
    if timing.get("timings_ms"):
        message += f" (runs: {', '.join(f'{t:.1f}' for t in timing['timings_ms'])} ms)"
    return CheckResult(**base, status=status, message=message[:400], observed=median)


def docs_result(
    suite: Suite, results: Mapping[int, Any], errors: Mapping[int, str], meta: Any, run_name: str
) -> Any:
    """One GX validation result per suite for the Data Docs: GX's results plus the checks that could not run."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    ordered = []
    for check in suite.checks:
        if check.index in results:
            result = results[check.index]
            ordered.append(result.to_gx() if hasattr(result, "to_gx") else result)
        else:
            config = ExpectationConfiguration(
                type=check.gx_type, kwargs=dict(check.kwargs), meta=dict(check.expectation.get("meta") or {})
            )
            ordered.append(
                ExpectationValidationResult(
                    success=False,
                    expectation_config=config,
                    exception_info={
                        "raised_exception": True,
                        "exception_message": errors.get(check.index, "not run"),
                        "exception_traceback": None,
                    },
                )
            )
    successful = sum(1 for r in ordered if r.success)
    statistics = {
        "evaluated_expectations": len(ordered),
        "successful_expectations": successful,
        "unsuccessful_expectations": len(ordered) - successful,
        "success_percent": 100.0 * successful / len(ordered) if ordered else None,
    }
    return ExpectationSuiteValidationResult(
        success=successful == len(ordered),
        results=ordered,
        suite_name=suite.name,
        statistics=statistics,
        meta=dict(meta or {}),
    )
