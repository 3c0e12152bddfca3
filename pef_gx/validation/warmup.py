"""Import Great Expectations in the background while dbt builds.

GX's import costs 2.5-3.5 s (FACTS.md); `pef-gx build` spends several seconds waiting on the dbt
subprocess before its checkpoint needs GX. Importing it on a thread during that wait takes the import
off the critical path. Python's per-module import locks make the checkpoint's own import wait for the
thread's when it is not finished yet, and a failed import here is simply repeated (and reported) there.
"""

from __future__ import annotations

import importlib
import threading

from pef_gx.validation.context import quiet_gx

# What the checkpoint imports first: GX itself, its context config and SQL engine, pef-gx's GX modules.
MODULES = (
    "great_expectations",
    "great_expectations.data_context.types.base",
    "great_expectations.execution_engine.sqlalchemy_execution_engine",
    "pef_gx.validation.custom_expectations",
    "pef_gx.validation.engine",
)

_started: threading.Thread | None = None


def start_import() -> threading.Thread:
    """Start importing GX on a daemon thread (once per process); returns the thread."""
    global _started
    if _started is None:
        quiet_gx()  # environment and logging set here, on the main thread, before any import of GX
        _started = threading.Thread(target=_import_all, name="pef-gx-gx-import", daemon=True)
        _started.start()
    return _started


def _import_all() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the checkpoint imports it again and reports the error properly
            return
