"""Schema-free SQL for unexpected-rows checks, and safe quoting of names and values.

Suites are committed and run on any target (DuckDB, PostgreSQL), so their queries never name a schema:

- `{batch}` is the checked relation (GX substitutes it itself);
- `{ref:<unique_id>}` is any other relation, e.g. `{ref:model.pef_shop.stg_customers}`.

Before GX runs a query, validation calls `render_relations(query, resolve)` with a function that returns
the current target's quoted relation name for a unique_id (from that target's manifest).

Names and values from a manifest are untrusted: `quote_ident` and `quote_literal` produce SQL that DuckDB
and PostgreSQL read the same way (ANSI double-quoted identifiers, single-quoted strings with '' doubling;
both engines use standard-conforming strings, so a backslash is an ordinary character).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

BATCH = "{batch}"
_REF = re.compile(r"(?<!\{)\{ref:([^{}\s]+)\}")
_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ref(unique_id: str) -> str:
    """The placeholder for another relation, resolved per target by `render_relations`."""
    if not unique_id or "{" in unique_id or "}" in unique_id or any(c.isspace() for c in unique_id):
        raise ValueError(f"cannot make a relation placeholder for {unique_id!r}")
    return "{ref:" + unique_id + "}"


def referenced_ids(query: str) -> list[str]:
    """The unique_ids a query refers to with `{ref:...}`, in order of first use."""
    seen: list[str] = []
    for match in _REF.finditer(query):
        if match[1] not in seen:
            seen.append(match[1])
    return seen


def render_relations(query: str, resolve: Callable[[str], str]) -> str:
    """Replace each `{ref:<unique_id>}` with `resolve(unique_id)` (a quoted relation name). `{batch}` stays.

    The result is still a GX query template (GX fills `{batch}` with `str.format`): literal braces stay
    doubled, and braces in a resolved name are doubled too.
    """
    return _REF.sub(lambda m: escape_braces(resolve(m[1])), query)


def escape_braces(text: str) -> str:
    """Text that GX's `str.format` of a query leaves as it is (`{` -> `{{`, `}` -> `}}`)."""
    return text.replace("{", "{{").replace("}", "}}")


def quote_ident(name: str, quote: bool | None = None) -> str:
    """A column name as SQL, the way dbt means it.

    `quote=True` (dbt's column `quote: true`) keeps the exact spelling. Otherwise a plain name (letters,
    digits, underscore) is what dbt would emit unquoted: lower-cased (how PostgreSQL folds it; DuckDB
    ignores case) and quoted, which also makes reserved words safe. Any other name (spaces, quotes,
    unicode, ...) can only exist quoted, so it keeps its spelling; embedded double quotes are doubled.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"not a column name: {name!r}")
    text = name if quote or not _SIMPLE.match(name) else name.lower()
    return '"' + text.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    """A Python value as an SQL literal (strings single-quoted with '' doubling; numbers checked finite)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, (float, decimal.Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return "'" + value.isoformat(sep=" ") + "'" if isinstance(value, _dt.datetime) else f"'{value}'"
    text = str(value)
    if "\x00" in text:
        raise ValueError("a NUL character cannot be part of an SQL literal")
    return "'" + text.replace("'", "''") + "'"


def literal_list(values: Iterable[Any]) -> str:
    return ", ".join(quote_literal(v) for v in values)


def filtered(relation: str, where: str | None, alias: str = "pef_gx_rows") -> str:
    """`(select * from relation [where ...]) as alias`: the checked rows under a name of our own.

    GX fills `{batch}` with a table name, or with `(select ...) AS subselect` (a query asset), so `{batch}`
    is never aliased directly. The `where` is SQL the user wrote (dbt's `where:`); its braces are escaped.
    """
    condition = f" where {escape_braces(where)}" if where else ""
    return f"(select * from {relation}{condition}) as {alias}"


INTERVAL_PARTS = ("minute", "hour", "day", "week", "month", "year")


def interval(count: int, part: str) -> str:
    """`interval 'N part'`, read the same by DuckDB and PostgreSQL (part from a fixed list)."""
    part = part.lower().rstrip("s")
    if part not in INTERVAL_PARTS:
        raise ValueError(f"unsupported interval unit {part!r}; use one of {', '.join(INTERVAL_PARTS)}")
    if part == "week":  # both engines read weeks, but days keep the arithmetic obvious
        count, part = int(count) * 7, "day"
    return f"interval '{int(count)} {part}'"


def stale_query(
    column: str, count: int, part: str, where: str | None = None, quote: bool | None = None
) -> str:
    """One row (the newest value) when the newest `column` is older than now minus `count part`, or absent."""
    col = escape_braces(quote_ident(column, quote))
    threshold = f"cast(current_timestamp - {interval(count, part)} as timestamp)"
    return (
        f"select most_recent from (select max({col}) as most_recent from {filtered(BATCH, where)}) as r "
        f"where most_recent is null or cast(most_recent as timestamp) < {threshold}"
    )
