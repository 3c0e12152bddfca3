"""Open a DB-API connection for a dbt target, with errors that say what to fix."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.warehouse.faults import first_line
from pef_gx.warehouse.timeouts import postgres_options

CONNECT_TIMEOUT_S = 5
APPLICATION_NAME = "pef-gx"


# The checkpoint's DuckDB work is aggregates (constant memory) and exact uniqueness (a hash table or sort
# that grows with the keys). DuckDB runs inside pef-gx's process and by default may take 80% of the RAM:
# under a small buffer it spills those to its temp directory instead, so pef-gx's memory stays flat as
# tables grow (TPC-H SF1: validation 2.3 s instead of 1.5 s, `make bench`). A profile's own memory_limit
# is used as set.
VALIDATION_MEMORY_LIMIT = "32MB"


def connect(target: Target, read_only: bool = False, memory_budget: bool = False) -> Any:
    """A DB-API connection to the target's warehouse. The caller closes it.

    memory_budget: DuckDB gets VALIDATION_MEMORY_LIMIT unless the profile sets one (the caller lifts it
    with lift_memory_budget when a statement cannot run under it).

    Spark: a pef_gx.warehouse.spark.SparkConnection (qmark placeholders; closing a local one ends its
    JVM, which releases the Derby metastore for the next dbt run)."""
    if target.type == "spark":
        from pef_gx.warehouse.spark import connect_spark

        return connect_spark(target)
    if target.type == "duckdb":
        import duckdb

        assert target.path is not None
        if read_only and not target.path.exists():
            raise DatabaseError(
                f"DuckDB file {target.path} does not exist", "run `pef-gx build` first to create it"
            )
        try:
            conn = duckdb.connect(str(target.path), read_only=read_only)
        except duckdb.Error as exc:
            raise duckdb_open_error(target, exc) from None
        _duckdb_settings(conn, target, memory_budget)
        return conn
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=target.host,
            port=target.port or 5432,
            user=target.user,
            password=target.password,
            dbname=target.database,
            connect_timeout=CONNECT_TIMEOUT_S,
            options=postgres_options(target),
            application_name=APPLICATION_NAME,  # what a DBA sees in pg_stat_activity
        )
    except psycopg2.Error as exc:
        raise unreachable(target, exc) from None
    conn.autocommit = True
    return conn


def _duckdb_settings(conn: Any, target: Target, memory_budget: bool = False) -> None:
    """The profile's `settings:` (dbt-duckdb's key: memory_limit, threads, temp_directory, ...), so pef-gx
    reads the file under the limits dbt wrote it with. SET, not connect(config=): a second connection in
    this process (GX's) must open the same database instance with the same configuration."""
    settings = target.extra.get("settings") or {}
    if not isinstance(settings, dict):
        conn.close()
        raise DatabaseError(
            f"target {target.name}: `settings` must be a mapping of DuckDB settings",
            "e.g. settings: {memory_limit: 1GB, threads: 2}",
        )
    from pef_gx.warehouse.sql import quote_literal

    for name, value in settings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
            conn.close()
            raise DatabaseError(
                f"target {target.name}: '{name}' is not a DuckDB setting name", "fix `settings`"
            )
        try:
            conn.execute(f"SET {name} = {quote_literal(str(value))}")
        except Exception as exc:
            conn.close()
            raise DatabaseError(
                f"target {target.name}: DuckDB setting {name} = {value!r} failed: {first_line(str(exc))}",
                "fix or remove it under `settings` in profiles.yml",
            ) from None
    if memory_budget and _budgeted(target):
        conn.execute(f"SET memory_limit = '{VALIDATION_MEMORY_LIMIT}'")


def _budgeted(target: Target) -> bool:
    settings = target.extra.get("settings") or {}
    return target.type == "duckdb" and not {"memory_limit", "max_memory"} & {str(k).lower() for k in settings}


def lift_memory_budget(conn: Any, target: Target, exc: BaseException) -> bool:
    """DuckDB ran out of pef-gx's budget (an operator that cannot spill): give the instance DuckDB's own
    default limit back. True when the statement should run again."""
    if not _budgeted(target) or "out of memory" not in str(exc).lower():
        return False
    try:  # not RESET: DuckDB 1.5 then reports its default but keeps enforcing the budget
        conn.execute(f"SET memory_limit = '{_duckdb_default_limit()}'")
    except Exception:
        return False
    return True


def _duckdb_default_limit() -> str:
    """DuckDB's own default: 80% of the machine's memory."""
    try:
        return f"{int(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') * 0.8) // 2**20}MiB"
    except (ValueError, OSError, AttributeError):
        return "-1"  # no limit


@contextlib.contextmanager
def session_scope(target: Target) -> Iterator[None]:
    """Connections opened inside share one warehouse session where opening one is costly: a local Spark
    JVM starts once (10-25 s) for all of them and ends at the block's end, releasing the Derby metastore.
    Run no dbt inside the block for a Spark session target (Derby admits one JVM). Others: no effect."""
    if target.type == "spark" and target.spark_method == "session":
        from pef_gx.warehouse.spark import reuse_local_session

        with reuse_local_session():
            yield
        return
    yield


def check_reachable(target: Target) -> None:
    """Fail fast, before a long dbt run, when the warehouse cannot be reached."""
    if target.type == "duckdb":
        assert target.path is not None
        if not target.path.parent.is_dir():
            raise DatabaseError(
                f"folder of DuckDB file {target.path} does not exist", "fix path: in profiles.yml"
            )
        return
    if target.type == "spark":
        from pef_gx.warehouse.spark import check_spark_reachable

        # A session target: Java and pyspark only (starting a JVM here would hold Derby while dbt runs).
        check_spark_reachable(target)
        return
    connect(target).close()


def unreachable(target: Target, exc: BaseException) -> DatabaseError:
    """The server could not be reached at all (never 'lost': it was never there)."""
    return DatabaseError(
        f"cannot connect to PostgreSQL at {target.host}:{target.port} as {target.user}: {first_line(exc)}",
        "is the server running, and are DBT_HOST/DBT_PORT/DBT_USER/DBT_PASSWORD right?",
    )


_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)", re.IGNORECASE)


def lock_holder(text: str) -> str | None:
    """'<program> (PID n)' from DuckDB's lock error, when it says who holds the file."""
    match = _HOLDER.search(text or "")
    return f"{match['program']} (PID {match['pid']})" if match else None


def duckdb_open_error(target: Target, exc: BaseException, waited_s: float | None = None) -> DatabaseError:
    """Why the DuckDB file cannot be opened, naming the process that holds it when DuckDB says."""
    text = str(exc)
    if "lock" in text.lower():
        holder = lock_holder(text) or "another process"
        waited = f" (waited {waited_s:.0f}s)" if waited_s is not None else ""
        return DatabaseError(
            f"DuckDB file {target.path} is locked by {holder}{waited}: DuckDB allows one writer process",
            "let that process finish (dbt, a notebook) or wait longer with --wait SECONDS",
        )
    return DatabaseError(f"cannot open DuckDB file {target.path}: {first_line(exc)}", "is it a DuckDB file?")
