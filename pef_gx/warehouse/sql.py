"""Safe SQL for the warehouses pef-gx reaches directly: names quoted per dialect, values escaped or bound.

DuckDB and PostgreSQL both quote identifiers with double quotes and strings with single quotes, and both
use standard-conforming strings; the differences are in functions (regular expressions) and catalogs.
Spark SQL differs more: identifiers take backticks (a double-quoted text is a string there), and a
backslash in a string literal escapes the next character.
"""

from __future__ import annotations

from pef_gx.checks.sql_template import quote_ident, quote_literal

DIALECTS = ("duckdb", "postgres", "spark")

__all__ = ["ident", "literal", "quote_ident", "quote_literal", "regex_match", "relation", "type_family"]


def _check(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported dialect {dialect!r}")


def ident(dialect: str, name: str) -> str:
    """A quoted identifier, exact spelling (names from the catalog or a manifest)."""
    _check(dialect)
    if dialect == "spark":
        if not name or "\x00" in name:
            raise ValueError(f"not a column name: {name!r}")
        return "`" + name.replace("`", "``") + "`"
    return quote_ident(name, quote=True)


def literal(dialect: str, value: object) -> str:
    """A value as an SQL literal of the dialect."""
    _check(dialect)
    if dialect == "spark" and isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return quote_literal(value)


def relation(dialect: str, schema: str, identifier: str, database: str | None = None) -> str:
    """A fully quoted relation name (exact spelling: these names come from the catalog)."""
    _check(dialect)
    parts = [p for p in (database, schema, identifier) if p]
    return ".".join(ident(dialect, p) for p in parts)


def regex_match(dialect: str, expression: str, pattern: str) -> str:
    """A predicate: `expression` contains a match of `pattern` (anchor it with ^...$ for a full match)."""
    _check(dialect)
    if dialect == "duckdb":
        return f"regexp_matches({expression}, {quote_literal(pattern)})"
    if dialect == "spark":
        return f"({expression} rlike {literal(dialect, pattern)})"
    return f"({expression} ~ {quote_literal(pattern)})"


def type_family(data_type: str) -> str:
    """numeric | string | date | timestamp | boolean | other, from a catalog, reflected or declared type
    name (`NUMERIC(10, 2)`, `VARCHAR(20)`, `TIMESTAMP WITHOUT TIME ZONE`, `HUGEINT`, `DOUBLE_PRECISION`,
    Spark's `timestamp_ntz`, ...)."""
    t = " ".join(str(data_type or "").lower().replace("_", " ").split())
    if t.startswith("timestamp") or t.startswith("datetime"):
        return "timestamp"
    if t == "date":
        return "date"
    if t in ("boolean", "bool"):
        return "boolean"
    if any(w in t for w in ("char", "text", "string")):
        return "string"
    if t.endswith("[]") or any(
        w in t for w in ("interval", "json", "struct", "map", "list", "array", "uuid", "bit")
    ):
        return "other"
    if any(w in t for w in ("int", "numeric", "decimal", "double", "real", "float", "number")):
        return "numeric"
    return "other"
