"""One-pass profiles of built relations (for inference): per column, counts, distinct counts, min/max and
how many values look like an e-mail, a UUID or an ISO date; plus the few distinct values of
low-cardinality text columns and value-inclusion counts between key columns (second, small queries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pef_gx.warehouse.sql import ident, regex_match, relation, type_family

PATTERNS = {
    "email": r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "iso_date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}


@dataclass
class ColumnProfile:
    name: str
    data_type: str
    family: str
    non_null: int = 0
    distinct: int = 0
    min: Any = None
    max: Any = None
    pattern_hits: dict[str, int] = field(default_factory=dict)
    values: list[Any] | None = None  # distinct values, for low-cardinality text columns


@dataclass
class TableProfile:
    relation: str
    row_count: int
    columns: list[ColumnProfile]
    statements: int = 0
    now: Any = None  # the warehouse's current timestamp


def columns_of(conn: Any, dialect: str, schema: str, identifier: str) -> list[tuple[str, str]]:
    """(name, data type) of a relation, from information_schema; [] when it does not exist."""
    if dialect == "spark":
        return spark_columns(conn, relation(dialect, schema, identifier))
    cur = conn.cursor()
    placeholder = "?" if dialect == "duckdb" else "%s"
    cur.execute(
        "select column_name, data_type from information_schema.columns "
        f"where table_schema = {placeholder} and table_name = {placeholder} order by ordinal_position",
        (schema, identifier),
    )
    rows = [(str(r[0]), str(r[1])) for r in cur.fetchall()]
    cur.close()
    return rows


def spark_columns(conn: Any, rel: str) -> list[tuple[str, str]]:
    """(name, data type) from Spark's DESCRIBE; [] when the relation does not exist."""
    from pef_gx.warehouse.spark import described_columns

    cur = conn.cursor()
    try:
        cur.execute(f"describe table {rel}")
        rows = cur.fetchall()
    except Exception:  # AnalysisException: no such table or view
        return []
    finally:
        cur.close()
    return described_columns(rows)


def _fetchone(conn: Any, query: str) -> Sequence[Any]:
    cur = conn.cursor()
    cur.execute(query)
    row = cur.fetchone()
    cur.close()
    return row


def profile_table(
    conn: Any, dialect: str, table: str, columns: Sequence[tuple[str, str]], max_values: int
) -> TableProfile:
    profiles = [ColumnProfile(name, dtype, type_family(dtype)) for name, dtype in columns]
    select = ["count(*)", "cast(current_timestamp as timestamp)"]
    slots: list[tuple[ColumnProfile, str, str | None]] = []
    for col in profiles:
        if col.family == "other":
            continue
        q = ident(dialect, col.name)
        select += [f"count({q})", f"count(distinct {q})"]
        slots += [(col, "non_null", None), (col, "distinct", None)]
        if col.family in ("numeric", "date", "timestamp"):
            select += [f"min({q})", f"max({q})"]
            slots += [(col, "min", None), (col, "max", None)]
        if col.family == "string":
            for name, pattern in PATTERNS.items():
                select.append(f"sum(case when {regex_match(dialect, q, pattern)} then 1 else 0 end)")
                slots.append((col, "pattern", name))
    row = _fetchone(conn, f"select {', '.join(select)} from {table}")
    profile = TableProfile(table, int(row[0]), profiles, statements=1, now=row[1])
    for (col, what, name), value in zip(slots, row[2:], strict=False):
        if what == "pattern":
            col.pattern_hits[str(name)] = int(value or 0)
        elif what in ("non_null", "distinct"):
            setattr(col, what, int(value or 0))
        else:
            setattr(col, what, value)
    low = [c for c in profiles if c.family == "string" and 0 < c.distinct <= max_values]
    if low:
        parts = [
            f"select {i} as i, {ident(dialect, c.name)} as v from {table} "
            f"where {ident(dialect, c.name)} is not null group by {ident(dialect, c.name)}"
            for i, c in enumerate(low)
        ]
        cur = conn.cursor()
        cur.execute(" union all ".join(parts))
        for index, value in cur.fetchall():
            values = low[int(index)].values
            if values is None:
                low[int(index)].values = values = []
            values.append(value)
        cur.close()
        profile.statements += 1
    return profile


def missing_count(
    conn: Any, child: str, child_column: str, parent: str, parent_column: str, dialect: str = "postgres"
) -> int:
    """How many non-NULL child values have no equal parent value (0: inclusion holds)."""
    c = ident(dialect, child_column)
    p = ident(dialect, parent_column)
    row = _fetchone(
        conn,
        f"select count(*) from {child} as child where child.{c} is not null and not exists "
        f"(select 1 from {parent} as parent where parent.{p} = child.{c})",
    )
    return int(row[0])
