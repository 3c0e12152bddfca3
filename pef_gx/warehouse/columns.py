"""The columns the warehouse really has: one information_schema query for every relation of a project."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import PefGxError
from pef_gx.warehouse.connection import connect
from pef_gx.warehouse.profile import spark_columns
from pef_gx.warehouse.sql import ident, relation


def _open(target: Target) -> Any | None:
    """A read-only connection, or None when the warehouse cannot be read (not built yet, locked, down)."""
    if target.type == "duckdb" and (target.path is None or not target.path.exists()):
        return None
    try:
        return connect(target, read_only=True)
    except PefGxError:
        return None


def built_columns(target: Target, relations: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """{key: {column: data type}} for each relation (key -> (schema, table)) that exists, in column order.

    Empty when the warehouse cannot be read (not built yet, locked, unreachable): the caller then knows
    only the documented columns and says so."""
    conn = _open(target) if relations else None
    if conn is None:
        return {}
    try:
        if target.type == "spark":
            rows = _spark_rows(conn, set(relations.values()))
        else:
            rows = _rows(conn, target.type, {s.lower() for s, _ in relations.values()})
    except Exception:  # a warehouse that cannot answer leaves the documented columns
        return {}
    finally:
        conn.close()
    by_relation: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        by_relation.setdefault((str(schema).lower(), str(table).lower()), {})[str(column)] = str(data_type)
    out: dict[str, dict[str, str]] = {}
    for key, (schema, table) in relations.items():
        found = by_relation.get((schema.lower(), table.lower()))
        if found:
            out[key] = found
    return out


def _rows(conn: Any, dialect: str, schemas: Iterable[str]) -> list[tuple[Any, ...]]:
    wanted = sorted(schemas)
    placeholder = "?" if dialect == "duckdb" else "%s"
    marks = ", ".join(placeholder for _ in wanted)
    cur = conn.cursor()
    try:
        cur.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            f"where lower(table_schema) in ({marks}) order by table_schema, table_name, ordinal_position",
            tuple(wanted),
        )
        return list(cur.fetchall())
    finally:
        cur.close()


def _spark_rows(conn: Any, relations: Iterable[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """Spark has no information_schema for its session catalog: one DESCRIBE per wanted relation."""
    return [
        (schema, table, column, data_type)
        for schema, table in sorted(relations)
        for column, data_type in spark_columns(conn, relation("spark", schema, table))
    ]


MAX_COLUMNS = 400  # a large warehouse: the first this many text columns only (one query each)


def small_value_sets(
    target: Target, columns: Mapping[str, tuple[str, str, list[str]]], limit: int = 30
) -> dict[str, dict[str, tuple[str, ...]]]:
    """{key: {column: its distinct values}} for text columns with at most `limit` distinct values
    (key -> (schema, table, text columns)): the words a request may use to filter rows. Empty when the
    warehouse cannot be read. At most MAX_COLUMNS columns are read (a value of a column not read is not
    known: a request naming it is refused, not guessed)."""
    conn = _open(target) if columns else None
    if conn is None:
        return {}
    budget = MAX_COLUMNS
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    try:
        for key, (schema, table, names) in columns.items():
            for name in names:
                budget -= 1
                if budget < 0:
                    return out
                quoted = ident(target.type, name)
                source = relation(target.type, schema, table)
                cur = conn.cursor()
                try:
                    cur.execute(
                        f"select distinct {quoted} from {source} where {quoted} is not null limit {limit + 1}"
                    )
                    values = [str(r[0]) for r in cur.fetchall()]
                except Exception:  # a relation that cannot be read leaves no values
                    values = []
                finally:
                    cur.close()
                if 0 < len(values) <= limit:
                    out.setdefault(key, {})[name] = tuple(sorted(values))
    finally:
        conn.close()
    return out
