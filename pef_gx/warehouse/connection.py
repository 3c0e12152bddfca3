"""Open a DB-API connection for a dbt target, with errors that say what to fix."""

from __future__ import annotations

from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError

CONNECT_TIMEOUT_S = 5


def connect(target: Target, read_only: bool = False) -> Any:
    """A DB-API connection to the target's warehouse. The caller closes it."""
    if target.type == "duckdb":
        import duckdb

        assert target.path is not None
        if read_only and not target.path.exists():
            raise DatabaseError(
                f"DuckDB file {target.path} does not exist", "run `pef-gx build` first to create it"
            )
        try:
            return duckdb.connect(str(target.path), read_only=read_only)
        except duckdb.Error as exc:
            raise DatabaseError(
                f"cannot open DuckDB file {target.path}: {_first_line(exc)}",
                "is another process (dbt, a notebook) holding it open?",
            ) from None
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=target.host,
            port=target.port or 5432,
            user=target.user,
            password=target.password,
            dbname=target.database,
            connect_timeout=CONNECT_TIMEOUT_S,
        )
    except psycopg2.Error as exc:
        raise DatabaseError(
            f"cannot connect to PostgreSQL at {target.host}:{target.port} as {target.user}: {_first_line(exc)}",
            "is the server running, and are DBT_HOST/DBT_PORT/DBT_USER/DBT_PASSWORD right?",
        ) from None
    conn.autocommit = True
    return conn


def check_reachable(target: Target) -> None:
    """Fail fast, before a long dbt run, when the warehouse cannot be reached."""
    if target.type == "duckdb":
        assert target.path is not None
        if not target.path.parent.is_dir():
            raise DatabaseError(
                f"folder of DuckDB file {target.path} does not exist", "fix path: in profiles.yml"
            )
        return
    connect(target).close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
