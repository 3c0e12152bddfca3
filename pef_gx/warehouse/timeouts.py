"""How long a checkpoint may wait: per statement, and for a lock or the DuckDB file.

Set in pef-gx.yml (all optional):

    timeouts:
      statement_seconds: 1800   # one validation query; PostgreSQL cancels it after this
      lock_seconds: 60          # a table held by another transaction, or the DuckDB file held by dbt

Without them a table held under ACCESS EXCLUSIVE kept the checkpoint silent forever.
"""

from __future__ import annotations

from dataclasses import replace

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import ConfigError
from pef_gx.settings import Settings

STATEMENT_S = 1800.0
LOCK_S = 60.0


def _seconds(section: dict, key: str, default: float) -> float:
    value = section.get(key, default)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"timeouts.{key} in pef-gx.yml must be a number of seconds, not {value!r}", "e.g. 60"
        ) from None
    if seconds <= 0:
        raise ConfigError(f"timeouts.{key} in pef-gx.yml must be above 0", "e.g. 60")
    return seconds


def with_timeouts(target: Target, settings: Settings, lock_wait_s: float | None = None) -> Target:
    """The target with the statement and lock timeouts of pef-gx.yml (or `--wait` for locks)."""
    section = dict(settings.section("timeouts"))
    unknown = sorted(set(section) - {"statement_seconds", "lock_seconds"})
    if unknown:
        raise ConfigError(
            f"unknown key timeouts.{unknown[0]} in pef-gx.yml", "known: statement_seconds, lock_seconds"
        )
    lock = lock_wait_s if lock_wait_s is not None else _seconds(section, "lock_seconds", LOCK_S)
    return replace(
        target,
        statement_timeout_s=_seconds(section, "statement_seconds", STATEMENT_S),
        lock_timeout_s=float(lock),
    )


def postgres_options(target: Target) -> str | None:
    """libpq `options` that make the server enforce the timeouts on every statement of the session."""
    parts = []
    if target.statement_timeout_s:
        parts.append(f"-c statement_timeout={int(target.statement_timeout_s * 1000)}")
    if target.lock_timeout_s:
        parts.append(f"-c lock_timeout={int(target.lock_timeout_s * 1000)}")
    return " ".join(parts) or None
