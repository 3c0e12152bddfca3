"""Name what went wrong in the warehouse or on disk, so one line can say it and how to fix it.

Drivers (psycopg2, duckdb, sqlite3) and GX wrap the same few faults in many exception types and texts;
`classify` reads the text and the errno chain once, and the callers turn the kind into a typed error.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError

PERMISSION = "permission"
LOCK_TIMEOUT = "lock_timeout"
STATEMENT_TIMEOUT = "statement_timeout"
DISK_FULL = "disk_full"

_PATTERNS = (
    (DISK_FULL, re.compile(r"no space left on device|database or disk is full|disk quota exceeded", re.I)),
    (LOCK_TIMEOUT, re.compile(r"canceling statement due to lock timeout", re.I)),
    (STATEMENT_TIMEOUT, re.compile(r"canceling statement due to statement timeout|INTERRUPT Error", re.I)),
    (PERMISSION, re.compile(r"permission denied|insufficient privilege|must be owner", re.I)),
)
_DRIVER_PREFIX = re.compile(r"^\((?:[\w.]+)\)\s*")  # SQLAlchemy's "(psycopg2.OperationalError) "
_QUOTED = re.compile(r'(?:for|relation|table|schema) "?([^"\s]+)"?', re.I)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
        orig = getattr(current, "orig", None)  # SQLAlchemy wraps the driver's error
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig


def classify(exc: BaseException | str) -> str | None:
    """One of the kinds above, or None when the fault is none of them."""
    if isinstance(exc, BaseException):
        for link in _chain(exc):
            if isinstance(link, OSError) and link.errno in (errno.ENOSPC, errno.EDQUOT):
                return DISK_FULL
        text = " ".join(str(link) for link in _chain(exc))
    else:
        text = exc
    for kind, pattern in _PATTERNS:
        if pattern.search(text or ""):
            return kind
    return None


def is_disk_full(exc: BaseException) -> bool:
    return classify(exc) == DISK_FULL


def first_line(exc: BaseException | str) -> str:
    """The first non-empty line of an error, without driver decoration (psycopg2 adds LINE/HINT lines)."""
    if isinstance(exc, BaseException):
        exc = getattr(exc, "orig", None) or exc  # the driver's own error, not SQLAlchemy's wrapper
    text = str(exc).replace("\\n", "\n").replace("\\t", " ").strip()
    for line in text.splitlines():
        line = _DRIVER_PREFIX.sub("", line.strip())
        if line:
            return line if len(line) <= 240 else line[:240].rsplit(" ", 1)[0] + " ..."
    return type(exc).__name__ if isinstance(exc, BaseException) else "unknown error"


def run_stopped(target: Target, what: str, exc: BaseException | str) -> DatabaseError:
    """The typed error for a fault that stops a validation run, saying what to do about it."""
    kind = classify(exc)
    detail = first_line(exc)
    where = target.describe()
    if kind == PERMISSION:
        obj = named_object(detail)
        grant = f"GRANT USAGE ON SCHEMA {target.schema} TO {target.user}; GRANT SELECT ON ALL TABLES IN SCHEMA {target.schema} TO {target.user};"
        return DatabaseError(
            f"permission denied while {what}{f' ({obj})' if obj else ''} for role {target.user}: {detail}",
            f"as the owner run: {grant}",
        )
    if kind == LOCK_TIMEOUT:
        return DatabaseError(
            f"gave up waiting for a lock while {what} on {where}: another transaction holds the table",
            "end that transaction, or raise timeouts.lock_seconds in pef-gx.yml (or pass --wait SECONDS)",
        )
    if kind == STATEMENT_TIMEOUT:
        return DatabaseError(
            f"a query ran longer than the statement timeout while {what} on {where}",
            "raise timeouts.statement_seconds in pef-gx.yml, or look for what slows the table down",
        )
    if kind == DISK_FULL:
        return DatabaseError(f"disk full while {what} on {where}: {detail}", "free some space and run again")
    hint = {
        "duckdb": "is another process (dbt, a notebook) holding the DuckDB file, or was it removed? run again when it is free",
        "spark": "is the Spark server up (make spark-server), or did the local Spark JVM die? run `pef-gx checkpoint` again",
    }.get(target.type, "is the PostgreSQL server up and reachable? run `pef-gx checkpoint` again when it is")
    return DatabaseError(f"lost the database ({where}) while {what}: {detail}", hint)


def named_object(text: str) -> str | None:
    """The relation or schema a driver message names ('permission denied for table x' -> x)."""
    match = _QUOTED.search(text or "")
    return match.group(1) if match else None
