"""Safe SQL for the warehouses pef-gx reaches directly: names quoted per dialect, values escaped or bound.

DuckDB and PostgreSQL both quote identifiers with double quotes and strings with single quotes, and both
use standard-conforming strings; the differences are in functions (regular expressions) and catalogs.
"""

from __future__ import annotations

from pef_gx.checks.sql_template import quote_ident, quote_literal

DIALECTS = ("duckdb", "postgres")

__all__ = ["quote_ident", "quote_literal", "regex_match", "relation", "type_family"]


def _check(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported dialect {dialect!r}")


def relation(dialect: str, schema: str, identifier: str, database: str | None = None) -> str:
    """A fully quoted relation name (exact spelling: these names come from the catalog)."""
    _check(dialect)
    parts = [p for p in (database, schema, identifier) if p]
    return ".".join(quote_ident(p, quote=True) for p in parts)


def regex_match(dialect: str, expression: str, pattern: str) -> str:
    """A predicate: `expression` contains a match of `pattern` (anchor it with ^...$ for a full match)."""
    _check(dialect)
    if dialect == "duckdb":
        return f"regexp_matches({expression}, {quote_literal(pattern)})"
    return f"({expression} ~ {quote_literal(pattern)})"


def type_family(data_type: str) -> str:
    """numeric | date | timestamp | string | boolean | other, from a catalog type name."""
    t = (data_type or "").lower()
    if t.startswith("timestamp") or t == "datetime":
        return "timestamp"
    if t == "date":
        return "date"
    if t in ("boolean", "bool"):
        return "boolean"
    if any(w in t for w in ("char", "text", "string")) or t == "varchar":
        return "string"
    if t.endswith("[]") or any(
        w in t for w in ("interval", "json", "struct", "map", "list", "array", "uuid", "bit")
    ):
        return "other"
    if any(w in t for w in ("int", "numeric", "decimal", "double", "real", "float")):
        return "numeric"
    return "other"
