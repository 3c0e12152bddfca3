"""The columns the warehouse really has: one information_schema query for every relation of a project."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import PefGxError
from pef_gx.warehouse.connection import connect


def built_columns(target: Target, relations: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """{key: {column: data type}} for each relation (key -> (schema, table)) that exists, in column order.

    Empty when the warehouse cannot be read (not built yet, locked, unreachable): the caller then knows
    only the documented columns and says so."""
    if not relations:
        return {}
    if target.type == "duckdb" and (target.path is None or not target.path.exists()):
        return {}
    try:
        conn = connect(target, read_only=True)
    except PefGxError:
        return {}
    try:
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
