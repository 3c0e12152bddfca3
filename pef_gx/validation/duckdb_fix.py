"""The one place that patches Great Expectations internals: make GX 1.24 work on DuckDB.

GX 1.24 as shipped fails on DuckDB (duckdb-engine) in two ways (see FACTS.md):

1. `SqlAlchemyExecutionEngine.execute_query()` returns a cursor result that its callers fetch *after*
   the connection went back to the pool. psycopg2 buffers rows client-side so PostgreSQL survives it;
   duckdb-engine does not, and every metric fails with `list index out of range`.
   Fix: for DuckDB engines, buffer the rows (`Result.freeze()`) before the connection is released.
2. GX picks its regex SQL by `dialect_module`, which is None for dialects it does not know, so regex
   expectations raise `Regex is not supported for dialect duckdb`.
   Fix: give DuckDB engines duckdb-engine's own dialect module (it derives from PostgreSQL's, so GX
   emits the PostgreSQL `~` / `!~` operators), and compile those two operators for DuckDB as
   `regexp_matches()`: DuckDB's `~` is a *full* match, PostgreSQL's (and GX's) a search.

The patch is applied once per process, only to engines whose dialect is duckdb, and only for the GX
versions it was written and tested for (`SUPPORTED_GX`). Another GX version raises a clear error instead
of running with a patch nobody checked. tests/validation/test_duckdb_fix.py fails loudly when an upgrade
changes the internals this relies on, or when upstream fixes the bugs (so the patch can go).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from pef_gx.errors import ConfigError

SUPPORTED_GX = ("1.24.",)  # version prefixes this patch was written for and tested against

_lock = threading.Lock()
_applied = False


def gx_version() -> str:
    import great_expectations

    return str(great_expectations.__version__)


def check_gx_version(version: str | None = None) -> None:
    version = version or gx_version()
    if not version.startswith(SUPPORTED_GX):
        raise ConfigError(
            f"pef-gx's DuckDB fix for Great Expectations was written for GX {', '.join(SUPPORTED_GX)}x; "
            f"found {version}",
            "install the pinned version (pip install -c constraints.txt ...) or re-verify "
            "pef_gx/validation/duckdb_fix.py and its tests for the new GX",
        )


def is_applied() -> bool:
    return _applied


def apply() -> None:
    """Patch GX for DuckDB (idempotent, thread-safe). Raises ConfigError on an untested GX version."""
    global _applied
    with _lock:
        if _applied:
            return
        check_gx_version()
        _patch_execution_engine()
        _register_regex_compilation()
        _applied = True


def _patch_execution_engine() -> None:
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

    original_init = SqlAlchemyExecutionEngine.__init__

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if getattr(getattr(self, "engine", None), "dialect", None) is None:
            return
        if self.engine.dialect.name.lower() != "duckdb":
            return
        self.dialect_module = _duckdb_dialect_module()
        self.execute_query = functools.partial(_buffered_execute, self, in_transaction=False)
        self.execute_query_in_transaction = functools.partial(_buffered_execute, self, in_transaction=True)

    SqlAlchemyExecutionEngine.__init__ = __init__  # type: ignore[method-assign]


@functools.lru_cache(maxsize=1)
def _duckdb_dialect_module() -> Any:
    """A dialect module for GX: SQLAlchemy's top-level type names, with duckdb-engine's dialect class.

    GX checks `issubclass(dialect_module.dialect, postgresql.dialect)` to choose its regex SQL (duckdb-
    engine's Dialect derives from PostgreSQL's), and looks expected type names up on the module. Type
    lookups stay what they are without the patch (GX uses top-level `sqlalchemy` when the module is None),
    so duckdb-engine's generic reflected types (String, Integer, ...) still match.
    """
    import types

    import duckdb_engine
    import sqlalchemy

    module = types.ModuleType("pef_gx_duckdb_dialect")
    module.__dict__.update({k: v for k, v in vars(sqlalchemy).items() if not k.startswith("__")})
    module.dialect = duckdb_engine.Dialect  # type: ignore[attr-defined]
    return module


def _buffered_execute(engine: Any, query: Any, in_transaction: bool) -> Any:
    """execute_query for DuckDB: fetch every row while the connection is still checked out."""
    with engine.get_connection() as connection:
        result = engine._execute_query_with_recovery(connection, query)
        buffered = result.freeze()() if result.returns_rows else result
        if in_transaction and connection.in_transaction():
            connection.commit()
    return buffered


def _register_regex_compilation() -> None:
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.elements import BinaryExpression

    @compiles(BinaryExpression, "duckdb")
    def _duckdb_regex(element: Any, compiler: Any, **kw: Any) -> str:
        opstring = getattr(element.operator, "opstring", None)
        if opstring in ("~", "!~"):
            left = compiler.process(element.left, **kw)
            right = compiler.process(element.right, **kw)
            text = f"regexp_matches({left}, {right})"
            return text if opstring == "~" else f"(NOT {text})"
        return compiler.visit_binary(element, **kw)
