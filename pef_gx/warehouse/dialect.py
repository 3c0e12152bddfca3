"""The SQL dialect of each warehouse pef-gx validates, through sqlglot.

The compiled validation engine (pef_gx.validation.compiler) builds its statements as sqlglot trees and
renders them here, so an engine is a dialect name, not a set of string templates: quoting (`"x"` vs
`` `x` ``), regular expressions (`~`, `regexp_matches()`, `RLIKE`) and the rest come from sqlglot.
User SQL (a dbt `where:`, an unexpected-rows query) is already in the warehouse's dialect: it is parsed
with that dialect, never translated from another one.
"""

from __future__ import annotations

from typing import Any

# dbt adapter type -> sqlglot dialect
DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark", "databricks": "databricks"}


def dialect_of(target_type: str) -> str:
    try:
        return DIALECTS[target_type]
    except KeyError:
        raise ValueError(f"no SQL dialect for warehouse type {target_type!r}") from None


def table(schema: str, identifier: str, database: str | None = None) -> Any:
    """A relation with every part quoted (exact spelling: these names come from the warehouse)."""
    from sqlglot import exp

    return exp.table_(identifier, db=schema or None, catalog=database or None, quoted=True)


def column(name: str) -> Any:
    from sqlglot import exp

    return exp.column(name, quoted=True)


def literal(value: Any) -> Any:
    """A SQL literal for a JSON value of a suite (strings, numbers, booleans, null)."""
    from sqlglot import exp

    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value) if isinstance(value, float) else value)
    return exp.Literal.string(str(value))


def condition(sql: str, dialect: str) -> Any:
    """A boolean expression written in the warehouse's own SQL (a dbt `where:`); ValueError if unreadable."""
    import sqlglot
    from sqlglot.errors import ParseError

    try:
        return sqlglot.condition(sql, dialect=dialect)
    except (ParseError, sqlglot.errors.TokenError) as exc:
        raise ValueError(f"cannot read the condition {sql!r}: {str(exc).splitlines()[0]}") from None


def translate(sql: str, read: str, write: str) -> str:
    """SQL written for `read` as `write` reads it; unchanged when sqlglot cannot parse it (the warehouse
    then reports the error, as it would for the text as written)."""
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = sqlglot.transpile(sql, read=read, write=write)
    except (ParseError, TokenError):
        return sql
    return statements[0] if len(statements) == 1 else sql


def render(expression: Any, dialect: str) -> str:
    return str(expression.sql(dialect=dialect))


def relation_sql(dialect: str, schema: str, identifier: str, database: str | None = None) -> str:
    return render(table(schema, identifier, database), dialect)
