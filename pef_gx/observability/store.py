"""The history store: SQL over an embedded SQLite file (default) or a PostgreSQL schema (shared CI history).

One module knows the tables; both backends run the same statements (`?` placeholders, rewritten to `%s`
for psycopg2). Every write is one transaction: a run lands whole or not at all, also when the writing
process is killed. SQLite runs in WAL mode with a busy timeout and takes the write lock up front
(BEGIN IMMEDIATE), so two runs recorded at once both land, one after the other.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.errors import ConfigError, DatabaseError, OutputError, PefGxError
from pef_gx.observability.config import HistoryConfig

SCHEMA_VERSION = 1

# Tables, in the order they are created. {s} is the schema prefix ('' for SQLite).
_TABLES: dict[str, str] = {
    "meta": "create table if not exists {s}meta (key text primary key, value text not null)",
    "runs": """create table if not exists {s}runs (
        run_id text primary key, project text, target_name text, target_type text, schema_name text,
        command text, started_at text not null, finished_at text, elapsed_s double precision,
        dbt_invocation_id text, dbt_elapsed_s double precision, status text not null,
        nodes_failed integer not null, checks_failed integer not null, score double precision,
        scores_json text, recorded_at text not null)""",
    "node_runs": """create table if not exists {s}node_runs (
        run_id text not null, unique_id text not null, resource_type text, status text,
        execution_time double precision, rows_affected bigint, failures bigint, message text,
        primary key (run_id, unique_id))""",
    "check_runs": """create table if not exists {s}check_runs (
        run_id text not null, check_id text not null, node_id text, node_name text, kind text,
        dimension text, severity text, status text, element_count bigint, unexpected_count bigint,
        message text, primary key (run_id, check_id))""",
    "metrics": """create table if not exists {s}metrics (
        run_id text not null, node_id text not null, metric text not null, value double precision,
        baseline double precision, anomaly integer not null default 0, detail text,
        primary key (run_id, node_id, metric))""",
    "alert_state": """create table if not exists {s}alert_state (
        alert_key text primary key, condition_name text not null, subject text not null,
        status text not null, since_run text, last_run text, payload text, updated_at text)""",
    "alert_deliveries": """create table if not exists {s}alert_deliveries (
        run_id text not null, alert_key text not null, event text not null, channel text not null,
        ok integer not null, error text, sent_at text not null)""",
}
_INDEXES = (
    "create index if not exists {i}runs_started on {s}runs (started_at)",
    "create index if not exists {i}node_runs_uid on {s}node_runs (unique_id)",
    "create index if not exists {i}metrics_node on {s}metrics (node_id, metric)",
)
_CHILD_TABLES = ("node_runs", "check_runs", "metrics", "alert_deliveries")


@dataclass(frozen=True)
class Row:
    """A plain mapping of column -> value (what every read returns)."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


class HistoryStore:
    """SQL for the history tables. Use `open_store(settings)`; close it (or use `with`)."""

    def __init__(self, conn: Any, dialect: str, schema: str | None, where: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.where = where  # for messages: the file or the schema
        self._s = f'"{schema}".' if schema else ""
        self._i = f"{schema}_" if schema else ""
        self._schema = schema

    # -- plumbing ---------------------------------------------------------------------------------
    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _sql(self, sql: str) -> str:
        sql = sql.replace("{s}", self._s).replace("{i}", self._i)
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    @property
    def _lock_key(self) -> str:
        return f"pef_gx_history:{self._schema}"

    @contextmanager
    def transaction(self, ddl: bool = False) -> Iterator[Any]:
        """One write transaction; rolled back on any error.

        On PostgreSQL, writers share an advisory lock that schema changes take exclusively: CREATE INDEX
        IF NOT EXISTS locks the table even when the index exists, and would deadlock with a writer.
        """
        cur = self.conn.cursor()
        try:
            if self.dialect == "sqlite":
                cur.execute("begin immediate")  # take the write lock now (waits up to busy_timeout)
            else:
                mode = "" if ddl else "_shared"
                cur.execute(f"select pg_advisory_xact_lock{mode}(hashtext(%s))", (self._lock_key,))
            yield cur
            self.conn.commit() if self.dialect == "postgres" else cur.execute("commit")
        except BaseException:
            if self.dialect == "sqlite":
                if self.conn.in_transaction:
                    cur.execute("rollback")
            else:
                self.conn.rollback()
            raise
        finally:
            cur.close()

    def execute(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> None:
        cur.execute(self._sql(sql), tuple(params))

    def executemany(self, cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            cur.executemany(self._sql(sql), rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            names = [d[0] for d in cur.description]
            rows = [Row(dict(zip(names, values, strict=True))) for values in cur.fetchall()]
        finally:
            cur.close()
        if self.dialect == "postgres":
            self.conn.rollback()  # end the read transaction (no idle-in-transaction sessions)
        return rows

    def _schema_is_current(self) -> bool:
        """True when the PostgreSQL tables exist at this version (then no DDL, no table locks)."""
        if self.dialect != "postgres":
            return False
        rows = self.query("select to_regclass(?) is not null as present", (f'"{self._schema}".meta',))
        if not rows or not rows[0]["present"]:
            return False
        version = self.query("select value from {s}meta where key = 'schema_version'")
        return bool(version) and int(version[0]["value"]) == SCHEMA_VERSION

    def create_tables(self) -> None:
        if self._schema_is_current():
            return
        with self.transaction(ddl=True) as cur:
            if self.dialect == "postgres":
                cur.execute(f'create schema if not exists "{self._schema}"')
            for ddl in _TABLES.values():
                self.execute(cur, ddl)
            for ddl in _INDEXES:
                self.execute(cur, ddl)
            rows = self._fetch(cur, "select value from {s}meta where key = 'schema_version'")
            if not rows:
                self.execute(
                    cur,
                    "insert into {s}meta (key, value) values ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            elif int(rows[0][0]) > SCHEMA_VERSION:
                raise DatabaseError(
                    f"history store {self.where} has schema version {rows[0][0]}; this pef-gx knows {SCHEMA_VERSION}",
                    "upgrade pef-gx",
                )

    def _fetch(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur.execute(self._sql(sql), tuple(params))
        return list(cur.fetchall())

    # -- writes -----------------------------------------------------------------------------------
    def write_run(
        self, cur: Any, run: dict[str, Any], nodes: list[tuple], checks: list[tuple], metrics: list[tuple]
    ) -> None:
        """Replace everything stored for run['run_id'] (inside the caller's transaction)."""
        run_id = run["run_id"]
        for table in ("node_runs", "check_runs", "metrics"):
            self.execute(cur, f"delete from {{s}}{table} where run_id = ?", (run_id,))
        self.execute(cur, "delete from {s}runs where run_id = ?", (run_id,))
        columns = list(run)
        self.execute(
            cur,
            f"insert into {{s}}runs ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [run[c] for c in columns],
        )
        self.executemany(
            cur,
            "insert into {s}node_runs (run_id, unique_id, resource_type, status, execution_time,"
            " rows_affected, failures, message) values (?, ?, ?, ?, ?, ?, ?, ?)",
            nodes,
        )
        self.executemany(
            cur,
            "insert into {s}check_runs (run_id, check_id, node_id, node_name, kind, dimension, severity,"
            " status, element_count, unexpected_count, message) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            checks,
        )
        self.executemany(
            cur,
            "insert into {s}metrics (run_id, node_id, metric, value, baseline, anomaly, detail)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            metrics,
        )

    def prune(self, cur: Any, older_than: str | None, keep_runs: int | None) -> int:
        """Delete runs started before `older_than` (ISO) and beyond the newest `keep_runs`."""
        doomed: set[str] = set()
        if older_than:
            doomed |= {
                r[0]
                for r in self._fetch(cur, "select run_id from {s}runs where started_at < ?", (older_than,))
            }
        if keep_runs:
            rows = self._fetch(cur, "select run_id from {s}runs order by started_at desc, run_id desc")
            doomed |= {r[0] for r in rows[keep_runs:]}
        for run_id in sorted(doomed):
            for table in (*_CHILD_TABLES, "runs"):
                self.execute(cur, f"delete from {{s}}{table} where run_id = ?", (run_id,))
        return len(doomed)

    # -- alert state ------------------------------------------------------------------------------
    def alert_states(self) -> dict[str, Row]:
        return {r["alert_key"]: r for r in self.query("select * from {s}alert_state")}

    def set_alert_state(
        self,
        cur: Any,
        key: str,
        condition: str,
        subject: str,
        status: str,
        run_id: str,
        since_run: str | None,
        payload: dict[str, Any],
        now: str,
    ) -> None:
        self.execute(cur, "delete from {s}alert_state where alert_key = ?", (key,))
        self.execute(
            cur,
            "insert into {s}alert_state (alert_key, condition_name, subject, status, since_run, last_run,"
            " payload, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (key, condition, subject, status, since_run, run_id, json.dumps(payload, sort_keys=True), now),
        )

    def add_delivery(
        self, cur: Any, run_id: str, key: str, event: str, channel: str, ok: bool, error: str | None, now: str
    ) -> None:
        self.execute(
            cur,
            "insert into {s}alert_deliveries (run_id, alert_key, event, channel, ok, error, sent_at)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            (run_id, key, event, channel, 1 if ok else 0, error, now),
        )


def sqlite_path(root: Path, config: HistoryConfig) -> Path:
    if config.path:
        path = Path(config.path).expanduser()
        return path if path.is_absolute() else (root / path)
    return root / ".pef-gx" / "history.sqlite"


def open_sqlite(path: Path, busy_timeout_s: float = 30.0, create: bool = True) -> HistoryStore:
    if not create and not path.exists():
        raise DatabaseError(f"no run history at {path}", "run `pef-gx build` or `pef-gx checkpoint` first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None)
        conn.execute(f"pragma busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = full")
    except (OSError, sqlite3.Error) as exc:
        raise _history_error(path, exc) from None
    store = HistoryStore(conn, "sqlite", None, str(path))
    try:
        store.create_tables()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _history_error(path, exc) from None
    return store


def _little_space(path: Path, below: int = 4 * 2**20) -> bool:
    try:
        stat = os.statvfs(path.parent)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < below


def _history_error(path: Path, exc: BaseException) -> PefGxError:
    """A corrupt file, a full disk and an unwritable folder each need their own fix. A full disk is an
    OutputError: the run must stop (exit 2) with nothing committed, not go on without its history."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseError(
            f"run history {path} is corrupt ({exc})",
            f"move it aside (mv {path} {path}.broken); the next build starts a new history",
        )
    # SQLite reports a write that found no space as "disk I/O error" when its WAL index cannot grow
    if "disk is full" in text or "no space" in text or ("disk i/o error" in text and _little_space(path)):
        return OutputError(f"disk full: cannot write run history {path}", "free some space and run again")
    if "readonly" in text or "permission" in text or "unable to open" in text:
        return DatabaseError(f"cannot write run history {path}: {exc}", "check the folder is writable")
    return DatabaseError(f"run history {path} is not usable: {exc}", "move it aside; a new one is created")


def open_postgres(dsn: str, schema: str, where: str) -> HistoryStore:
    import psycopg2

    if not schema.replace("_", "").isalnum():
        raise ConfigError(f"history schema '{schema}' must be letters, digits and _", "e.g. pef_gx_history")
    try:
        conn = psycopg2.connect(dsn, connect_timeout=5)
    except psycopg2.Error as exc:
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise DatabaseError(
            f"cannot connect to the history database ({where}): {first}",
            "check history: in pef-gx.yml and the server",
        ) from None
    store = HistoryStore(conn, "postgres", schema, f"{where} schema {schema}")
    store.create_tables()
    return store


def postgres_dsn(config: HistoryConfig, target: Any | None) -> tuple[str, str]:
    """(dsn, description without secrets): from the env var `dsn_env`, else the dbt target's connection."""
    if config.dsn_env:
        dsn = os.environ.get(config.dsn_env)
        if not dsn:
            raise ConfigError(
                f"history: dsn_env names {config.dsn_env}, which is not set",
                f"export {config.dsn_env}=postgresql://...",
            )
        return dsn, f"${config.dsn_env}"
    if target is None or getattr(target, "type", None) != "postgres":
        raise ConfigError(
            "history: backend postgres needs a PostgreSQL connection",
            "set history: dsn_env: <ENV VAR holding a DSN>, or use a postgres dbt target",
        )
    from psycopg2.extensions import make_dsn

    dsn = make_dsn(
        host=target.host,
        port=target.port or 5432,
        user=target.user,
        password=target.password or None,
        dbname=target.database,
    )
    return dsn, f"{target.user}@{target.host}:{target.port}/{target.database}"
