"""Run a suite's compiled SQL on one connection and make GX's results from the numbers.

Per relation: the columns it has (a missing table or column is a check with status "error"), the one
aggregate scan (pef_gx.validation.compiler), the statements that cannot share it, then one statement
for the unexpected values of the failing single-column checks (plus one per failing compound-key or
unexpected-rows check). The results carry the numbers GX's own run gives (element count, unexpected
count and percent, missing count, observed value, success with `mostly`), computed with GX's formulas;
`to_gx()` turns one into GX's ExpectationValidationResult for the Data Docs, only when they are built,
so a run without Data Docs never imports GX. tests/validation/test_compiled_parity.py proves the numbers
equal GX's on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.validation import column_types, compiler
from pef_gx.validation.suites import Check, Suite
from pef_gx.warehouse import dialect as sqld

Spare = Callable[[Callable[[Any], Any]], Any]  # runs a job on another connection of the run
GX_TYPES = ("duckdb", "postgres")  # warehouses pef-gx connects GX's own SQL execution to
ENGINE = "compiled"


@dataclass
class CompiledResult:
    """The fields of GX's ExpectationValidationResult that pef-gx reads, without importing GX."""

    check: Check
    success: bool
    result: dict[str, Any] = field(default_factory=dict)
    exception_info: dict[str, Any] | None = None
    engine: str = ENGINE

    def to_gx(self) -> Any:
        from great_expectations.core.expectation_validation_result import ExpectationValidationResult
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        meta = dict(self.check.expectation.get("meta") or {})
        config = ExpectationConfiguration(type=self.check.gx_type, kwargs=dict(self.check.kwargs), meta=meta)
        return ExpectationValidationResult(
            success=self.success,
            expectation_config=config,
            result=_plain(self.result),
            exception_info=self.exception_info or {"raised_exception": False},
        )


@dataclass
class TableRun:
    """What the compiled engine found for one relation."""

    columns: dict[str, str] | None  # name -> data type, in order; None: the relation does not exist
    row_count: int | None = None
    results: dict[int, CompiledResult] = field(default_factory=dict)
    leftovers: list[Check] = field(default_factory=list)  # for GX
    statements: int = 0
    elapsed_s: float = 0.0


def run_table(
    conn: Any,
    target: Target,
    suite: Suite,
    checks: Sequence[Check],
    schema: str,
    identifier: str,
    database: str | None,
    resolve: Callable[[str], str],
    detail_limit: int,
    only_gx: bool = False,
    on_lost: Callable[[BaseException], DatabaseError] | None = None,
    known_columns: Mapping[tuple[str, str], dict[str, str]] | None = None,
    row_estimate: int | None = None,
    spare: Spare | None = None,
) -> TableRun:
    """Validate `checks` on one relation over a DB-API connection (the caller owns it)."""
    started = time.perf_counter()
    dialect = sqld.dialect_of(target.type)
    relation_sql = sqld.relation_sql(dialect, schema, identifier, database)
    portable_sql = sqld.relation_sql("postgres", schema, identifier, database)  # for the suites' own SQL
    runner = _Runner(conn, target, on_lost)
    if known_columns is not None:
        columns = known_columns.get((schema, identifier))
    else:
        columns = relation_columns(runner, target, schema, identifier, relation_sql)
    run = TableRun(columns=columns)
    if columns is None:
        return run
    present = {c.lower() for c in columns}
    checks = [c for c in checks if all(col.lower() in present for col in c.columns)]  # others: errors
    plan = compiler.compile_table(
        checks,
        schema,
        identifier,
        database,
        dialect,
        lambda q: batch_query(q, portable_sql, resolve, dialect),
        only_gx=only_gx,
        column_types=columns,
        schema_checks=target.type not in GX_TYPES,
        row_estimate=row_estimate,
        hash_keys=target.type == "postgres" and getattr(conn, "server_version", 0) >= 140000,
    )
    run.leftovers = plan.leftovers
    with _statements_ahead(runner, plan, target, spare) as ahead:
        scan = runner.scan(plan)
        run.row_count = _int(scan.get("pef_rows"))
        _judge(run, plan, runner, scan, ahead, columns, dialect, detail_limit)
    run.statements = runner.statements
    run.elapsed_s = time.perf_counter() - started
    return run


@contextlib.contextmanager
def _statements_ahead(
    runner: _Runner, plan: compiler.TablePlan, target: Target, spare: Spare | None
) -> Iterator[dict[int, Future[dict[str, Any]]]]:
    """A table's own statements (uniqueness, unexpected-rows counts) start at once, beside its scan, when
    the cores would idle otherwise: on Spark (it takes jobs from several threads; one small table's scan
    is one task), and on PostgreSQL when the run has fewer tables than threads (`spare` runs a job on
    another connection; one statement uses one core). Else tables run in parallel, statements in turn."""
    todo = [c for c in plan.checks if c.statement and c.shape != "timed" and not c.distinct]
    if not todo or not (target.type == "spark" or (target.type == "postgres" and spare is not None)):
        yield {}
        return
    from concurrent.futures import ThreadPoolExecutor

    def elsewhere(sql: str) -> dict[str, Any]:
        assert spare is not None
        other = _Runner(None, target, runner.on_lost)
        try:
            return spare(lambda conn: other.on(conn).one(sql))
        finally:
            runner.count(other.statements)

    one = runner.one if target.type == "spark" else elsewhere
    with ThreadPoolExecutor(max_workers=max(2, int(target.threads or 2))) as pool:
        yield {c.check.index: pool.submit(one, str(c.statement)) for c in todo}


def _judge(
    run: TableRun,
    plan: compiler.TablePlan,
    runner: _Runner,
    scan: Mapping[str, Any],
    ahead: Mapping[int, Future[dict[str, Any]]],
    columns: Mapping[str, str],
    dialect: str,
    detail_limit: int,
) -> None:
    """Each compiled check's result from the scan and its own statement (run here, or started ahead)."""
    failing: list[compiler.CompiledCheck] = []
    for compiled in plan.checks:
        if compiled.shape == "timed":
            wait(ahead.values())  # timed alone: not beside the statements started ahead
            run.results[compiled.check.index] = _timed(runner, compiled)
            continue
        if compiled.shape == "schema":
            success, result = column_types.verdict(compiled.check, columns)
            run.results[compiled.check.index] = CompiledResult(compiled.check, success=success, result=result)
            continue
        try:
            own: dict[str, Any] | None = None
            if _no_duplicates(compiled, scan):
                own = {"pef_unexpected": 0}
            elif compiled.check.index in ahead:
                own = ahead[compiled.check.index].result()
            elif compiled.statement:
                own = runner.one(str(compiled.statement))
        except _CheckError as exc:
            run.results[compiled.check.index] = _errored(compiled.check, str(exc))
            continue
        aliases = (compiled.elements, compiled.nonnull, compiled.unexpected, compiled.observed)
        failed = [scan[a] for a in aliases if a and isinstance(scan.get(a), _CheckError)]
        if failed:  # its part of the scan failed on its own (e.g. a bound of another type than the column)
            run.results[compiled.check.index] = _errored(compiled.check, str(failed[0]))
            continue
        result = _result(compiled, scan, own)
        run.results[compiled.check.index] = result
        if not result.success:
            failing.append(compiled)
    if failing and detail_limit:
        _attach_examples(runner, failing, run.results, dialect, detail_limit)


def _no_duplicates(compiled: compiler.CompiledCheck, scan: Mapping[str, Any]) -> bool:
    """The scan's distinct count equals the non-null count: a uniqueness check with nothing to count."""
    if not compiled.distinct:
        return False
    distinct, keys = (
        _int(scan.get(compiled.distinct)),
        _int(scan.get(compiled.keyed or compiled.nonnull or "")),
    )
    return distinct is not None and distinct == keys


def batch_query(
    query: str, relation_sql: str, resolve: Callable[[str], str], dialect: str = "postgres"
) -> str:
    """An unexpected-rows query for this target: `{ref:..}` resolved, `{batch}` the table, `{{ }}` undone.

    Suites hold these queries in the SQL pef-gx writes (double-quoted names, as DuckDB and PostgreSQL
    read them; `relation_sql` and `resolve` quote that way too); another dialect (Spark) gets them
    translated by sqlglot."""
    from pef_gx.checks.sql_template import render_relations

    rendered = render_relations(query.replace("{batch}", "\x00batch\x00"), resolve)
    rendered = rendered.replace("{{", "{").replace("}}", "}").replace("\x00batch\x00", relation_sql)
    if dialect in ("duckdb", "postgres"):
        return rendered
    return sqld.translate(rendered, "postgres", dialect)


# --- running statements -----------------------------------------------------------------------------


class _CheckError(Exception):
    """A statement of one check failed (bad SQL, a type mismatch): that check errors, the run goes on."""


class _Runner:
    def __init__(self, conn: Any, target: Target, on_lost: Callable[[BaseException], DatabaseError] | None):
        self.conn, self.target, self.on_lost = conn, target, on_lost
        self.statements = 0
        self._count = threading.Lock()  # statements may run from several threads (Spark)

    def rows(self, sql: str, again: bool = True) -> tuple[list[str], list[tuple[Any, ...]]]:
        from pef_gx.validation.engine import is_connection_lost
        from pef_gx.warehouse.connection import lift_memory_budget

        with self._count:
            self.statements += 1
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description or ()]
            return names, [tuple(r) for r in cursor.fetchall()]
        except DatabaseError:
            raise
        except Exception as exc:
            if again and lift_memory_budget(self.conn, self.target, exc):
                return self.rows(sql, again=False)
            if is_connection_lost(str(exc)):
                if self.on_lost:
                    raise self.on_lost(exc) from None
                raise
            _reset(self.conn, self.target)
            raise _CheckError(_first_line(exc)) from None
        finally:
            _close(cursor)

    def on(self, conn: Any) -> _Runner:
        self.conn = conn
        return self

    def count(self, statements: int) -> None:
        with self._count:
            self.statements += statements

    def one(self, sql: str) -> dict[str, Any]:
        names, rows = self.rows(sql)
        return dict(zip(names, rows[0], strict=True)) if rows else {}

    def scan(self, plan: compiler.TablePlan) -> dict[str, Any]:
        """The scan's values by alias; when it fails, each part alone, so one bad check errors alone."""
        try:
            return self.one(plan.scan)
        except _CheckError:
            pass
        values: dict[str, Any] = {}
        for alias, expression in plan.scan_parts.items():
            part = sqld.render(expression, plan.dialect)
            try:
                values[alias] = self.one(f"select {part} as {alias} from {plan.relation_sql}")[alias]
            except _CheckError as exc:
                values[alias] = exc
        return values


def _reset(conn: Any, target: Target) -> None:
    """PostgreSQL outside autocommit: an error aborts the transaction until a rollback."""
    rollback = getattr(conn, "rollback", None)
    if target.type == "postgres" and rollback is not None and not getattr(conn, "autocommit", True):
        rollback()


def _close(cursor: Any) -> None:
    close = getattr(cursor, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):  # a cursor of a connection that went away
            close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def all_columns(
    conn: Any, target: Target, schemas: set[str], on_lost: Callable[[BaseException], DatabaseError]
) -> dict[tuple[str, str], dict[str, str]] | None:
    """(schema, table) -> {column: type} of every relation in `schemas`, in one query (None: this engine
    has no information_schema; each relation is then read on its own)."""
    if target.type not in ("duckdb", "postgres") or not schemas:
        return None
    from pef_gx.warehouse.sql import quote_literal

    runner = _Runner(conn, target, on_lost)
    listed = ", ".join(quote_literal(s) for s in sorted(schemas))
    try:
        _, rows = runner.rows(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            f"where table_schema in ({listed}) order by table_schema, table_name, ordinal_position"
        )
    except _CheckError:
        return None
    found: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        found.setdefault((str(schema), str(table)), {})[str(column)] = str(data_type)
    return found


def row_estimates(
    conn: Any, target: Target, schemas: set[str], on_lost: Callable[[BaseException], DatabaseError]
) -> dict[tuple[str, str], int]:
    """(schema, table) -> about how many rows, from the catalog (tables, not views). It only picks how
    uniqueness is computed, never a number of a result. DuckDB keeps a row count; PostgreSQL's reltuples
    is -1 until the table is analyzed (dbt's fresh tables), then its size in bytes / 64 stands in (more
    rows than it has: a row is 24 bytes of header plus its data)."""
    if target.type not in ("duckdb", "postgres") or not schemas:
        return {}
    from pef_gx.warehouse.sql import quote_literal

    listed = ", ".join(quote_literal(s) for s in sorted(schemas))
    if target.type == "duckdb":
        sql = f"select schema_name, table_name, estimated_size from duckdb_tables() where schema_name in ({listed})"
    else:
        sql = (
            "select n.nspname, c.relname, case when c.reltuples >= 0 then c.reltuples::bigint "
            "else pg_relation_size(c.oid) / 64 end from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            f"where c.relkind in ('r', 'm', 'p') and n.nspname in ({listed})"
        )
    try:
        _, rows = _Runner(conn, target, on_lost).rows(sql)
    except _CheckError:
        return {}
    return {(str(schema), str(table)): int(n) for schema, table, n in rows if n is not None}


def relation_columns(
    runner: _Runner, target: Target, schema: str, identifier: str, relation_sql: str
) -> dict[str, str] | None:
    """The relation's columns in order, with their types; None when it does not exist."""
    if target.type in ("duckdb", "postgres"):
        from pef_gx.warehouse.sql import quote_literal

        _, rows = runner.rows(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = {quote_literal(schema)} and table_name = {quote_literal(identifier)} "
            "order by ordinal_position"
        )
        return {str(r[0]): str(r[1]) for r in rows} or None
    try:  # engines without information_schema (Spark): DESCRIBE lists the columns, then other sections
        _, rows = runner.rows(f"describe table {relation_sql}")
    except _CheckError as exc:
        if _NOT_FOUND.search(str(exc)):
            return None
        raise DatabaseError(
            f"cannot read relation {schema}.{identifier} on target {target.name}: {exc}",
            "check that the table exists and the user may read it",
        ) from None
    from pef_gx.warehouse.spark import described_columns

    return dict(described_columns(rows)) or None


_NOT_FOUND = re.compile(r"not found|does not exist|TABLE_OR_VIEW_NOT_FOUND|no such table", re.IGNORECASE)


# --- numbers to GX results ----------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, _CheckError):
        return None
    return int(value)


def _errored(check: Check, message: str) -> CompiledResult:
    info = {"raised_exception": True, "exception_message": message, "exception_traceback": None}
    return CompiledResult(check, success=False, exception_info=info)


def _mostly(check: Check) -> float:
    return float(check.kwargs.get("mostly", 1) if check.kwargs.get("mostly") is not None else 1)


def _result(
    compiled: compiler.CompiledCheck, scan: Mapping[str, Any], own: Mapping[str, Any] | None
) -> CompiledResult:
    check = compiled.check
    shape = compiled.shape
    if shape == "rows":
        observed = _int((own or {}).get("pef_unexpected")) or 0
        return CompiledResult(check, success=observed == 0, result={"observed_value": observed})
    if shape == "aggregate":
        return _aggregate(check, scan, compiled)
    total = _int(scan.get(compiled.elements or "")) or 0
    nonnull = _int(scan.get(compiled.nonnull or "")) or 0
    # GX sums over the rows it sees: over none, SQL's SUM is NULL and GX reports no unexpected count
    if shape in ("unique", "multicolumn"):
        unexpected: int | None = _int((own or {}).get("pef_unexpected"))
        unexpected = 0 if unexpected is None else unexpected  # GX counts duplicates with COUNT: never NULL
    else:
        unexpected = _int(scan.get(compiled.unexpected or "")) if total else None
    if shape == "not_null":  # GX: share of all rows; no missing count
        success = True if total == 0 else (total - unexpected) / total >= _mostly(check)
        percent = unexpected / total * 100 if total > 0 else None
        result = {"element_count": total, "unexpected_count": unexpected, "unexpected_percent": percent}
        result["partial_unexpected_list"] = []
        return CompiledResult(check, success=success, result=result)
    # map, unique and compound keys: share of the rows considered (non-null, or kept by ignore_row_if)
    if total == 0 or nonnull == 0:
        success = True
    else:
        success = (float(nonnull) - float(unexpected)) / float(nonnull) >= _mostly(check)
    missing = total - nonnull
    result = {
        "element_count": total,
        "unexpected_count": unexpected,
        "unexpected_percent": unexpected / nonnull * 100 if total > 0 and nonnull > 0 else None,
        "partial_unexpected_list": [],
        "missing_count": missing,
        "missing_percent": missing / total * 100 if total > 0 else None,
        "unexpected_percent_total": unexpected / total * 100 if total > 0 else None,
        "unexpected_percent_nonmissing": unexpected / nonnull * 100 if total > 0 and nonnull > 0 else None,
    }
    return CompiledResult(check, success=success, result=result)


def _aggregate(check: Check, scan: Mapping[str, Any], compiled: compiler.CompiledCheck) -> CompiledResult:
    """Table-level checks: GX's observed value and its min/max (strict) rule."""
    kwargs = check.kwargs
    if check.gx_type == compiler.NON_NULL_SHARE:
        total = _int(scan.get(compiled.elements or "")) or 0
        nonnull = _int(scan.get(compiled.nonnull or "")) or 0
        observed: Any = nonnull / total if total else 0  # GX: an empty column has a share of 0
    else:  # a filtered count is a SUM, NULL over no rows: GX counts 0
        observed = _int(scan.get(compiled.observed or "")) or 0
    if check.gx_type == compiler.ROW_COUNT_EQUAL:
        return CompiledResult(check, success=observed == kwargs["value"], result={"observed_value": observed})
    if observed is None:
        return CompiledResult(check, success=False, result={"observed_value": None})
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    above = low is None or (observed > low if kwargs.get("strict_min") else observed >= low)
    below = high is None or (observed < high if kwargs.get("strict_max") else observed <= high)
    return CompiledResult(check, success=bool(above and below), result={"observed_value": observed})


def _timed(runner: _Runner, compiled: compiler.CompiledCheck) -> CompiledResult:
    """A query-time test: the median of `repeat` runs (rows fetched), as the GX expectation measures it."""
    check = compiled.check
    repeat = max(1, int(check.kwargs.get("repeat") or 1))
    timings: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            runner.rows(str(compiled.statement))
        except _CheckError as exc:
            return _errored(check, str(exc))
        timings.append(round((time.perf_counter() - started) * 1000.0, 3))
    median = round(statistics.median(timings), 3)
    limit = float(check.kwargs["max_ms"])
    details = {"median_ms": median, "max_ms": limit, "timings_ms": timings, "repeat": len(timings)}
    return CompiledResult(
        check, success=median <= limit, result={"observed_value": median, "details": details}
    )


def _attach_examples(
    runner: _Runner,
    failing: Sequence[compiler.CompiledCheck],
    results: dict[int, CompiledResult],
    dialect: str,
    limit: int,
) -> None:
    """A few unexpected values per failing check: one statement for the single-column ones."""
    for compiled in failing:
        result = results[compiled.check.index]
        if compiled.shape == "not_null":
            count = int(result.result.get("unexpected_count") or 0)
            result.result["partial_unexpected_list"] = [None] * min(count, limit)
    statement = compiler.examples_statement(failing, dialect, limit)
    if statement:
        try:
            row = runner.one(statement)
        except _CheckError:
            row = {}  # examples are a courtesy: the counts stand without them
        for compiled in failing:
            values = row.get(f"e{compiled.check.index}")
            if values is not None:
                listed = list(values) if isinstance(values, (list, tuple)) else [values]
                results[compiled.check.index].result["partial_unexpected_list"] = listed[:limit]
    for compiled in failing:
        if not compiled.examples_per_row or compiled.examples is None:
            continue
        try:
            names, rows = runner.rows(f"{compiled.examples()} limit {int(limit)}")
        except _CheckError:
            continue
        found = [dict(zip(names, r, strict=True)) for r in rows]
        result = results[compiled.check.index]
        if compiled.shape == "rows":
            result.result["details"] = {"unexpected_rows": found}
        else:
            result.result["partial_unexpected_list"] = found


def _plain(value: Any) -> Any:
    """JSON-friendly values for GX's stores (Decimal, dates, NaN, numpy scalars)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError):
            return str(value)
    return value


# --- one suite ------------------------------------------------------------------------------------


def validate_suite(
    conn: Any,
    target: Target,
    suite: Suite,
    relation: Any,
    resolve: Callable[[str], str],
    detail_limit: int,
    only_gx: bool = False,
    known_columns: Mapping[tuple[str, str], dict[str, str]] | None = None,
    estimates: Mapping[tuple[str, str], int] | None = None,
    spare: Spare | None = None,
) -> tuple[Any, list[Check]]:
    """(SuiteOutcome of the compiled checks, the checks left to GX) for one suite and its relation.

    `known_columns`: (schema, table) -> columns, read for every relation of the run at once (a relation
    not in it does not exist); None: read here."""
    from dataclasses import replace

    from pef_gx.validation.engine import SuiteOutcome, error_result, lost, to_check_result

    started = time.perf_counter()
    outcome = SuiteOutcome(suite=suite, relation=relation)
    if relation is None:
        reason = f"suite '{suite.name}' names no dbt node of this project (node {suite.node_id or 'unknown'})"
        outcome.errors = {c.index: reason for c in suite.checks}
        outcome.checks = [error_result(c, suite, None, reason) for c in suite.checks]
        return outcome, []
    run = run_table(
        conn,
        target,
        suite,
        suite.checks,
        relation.schema,
        relation.identifier,
        relation.database if target.type == "spark" else None,
        resolve,
        detail_limit,
        only_gx=only_gx,
        on_lost=lambda exc: lost(target, f"validating suite '{suite.name}'", exc),
        known_columns=known_columns,
        row_estimate=(estimates or {}).get((relation.schema, relation.identifier)),
        spare=spare,
    )
    outcome.row_count, outcome.statements = run.row_count, run.statements
    if run.columns is None:
        reason = f"relation {relation.display} does not exist on target {target.name} (run dbt build?)"
        outcome.errors = {c.index: reason for c in suite.checks}
    else:
        lower = {c.lower() for c in run.columns}
        for check in suite.checks:
            missing = [c for c in check.columns if c.lower() not in lower]
            if missing:
                outcome.errors[check.index] = (
                    f"column {', '.join(missing)} not in relation {relation.display} "
                    f"(columns: {', '.join(sorted(run.columns))[:200]})"
                )
    leftovers = [c for c in run.leftovers if c.index not in outcome.errors]
    per_check = run.elapsed_s / max(len(run.results), 1)
    for check in suite.checks:
        if check.index in outcome.errors:
            outcome.checks.append(error_result(check, suite, relation, outcome.errors[check.index]))
        elif check.index in run.results:
            result = run.results[check.index]
            outcome.results[check.index] = result
            row_count = None if check.needs_filtered_batch else run.row_count
            checked = to_check_result(check, suite, relation, result, row_count, detail_limit)
            outcome.checks.append(replace(checked, elapsed_s=round(per_check, 4), engine=ENGINE))
    outcome.elapsed_s = time.perf_counter() - started
    return outcome, leftovers
