"""Words for a check result that people read: SQL values, freshness lag, the threshold behind a warning.

Pure functions; the runner puts their text in `CheckResult.message`, so every output (CLI table, results
file, scores, PR comment, history) says the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

LAG_KINDS = frozenset({"freshness", "recency"})
_SECONDS = {
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}


def sql_value(value: Any) -> str:
    """A value as SQL people read it: NULL for None, true/false for booleans."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sql_values(values: Iterable[Any]) -> str:
    return ", ".join(sql_value(v) for v in values)


def _plural(count: float, unit: str) -> str:
    text = f"{count:g}" if float(count).is_integer() else f"{count:.1f}"
    return f"{text} {unit}{'' if count == 1 else 's'}"


def age_text(seconds: float) -> str:
    """3.2 days, 5.0 hours, 12 minutes: the largest unit that is at least 1."""
    for unit in ("day", "hour", "minute"):
        if seconds >= _SECONDS[unit]:
            return _plural(round(seconds / _SECONDS[unit], 1), unit)
    return _plural(round(max(seconds, 0.0)), "second")


def _parse(value: Any) -> datetime | None:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def lag_text(passed: bool, latest: Any, now: datetime, severity: str, datepart: str, interval: int) -> str:
    """'latest row 3.2 days old, warn after 1 day' (or 'within ...' when it passed)."""
    limit = f"{'error' if severity == 'error' else 'warn'} after {_plural(interval, str(datepart).lower())}"
    if passed:
        return f"latest row within the limit ({limit})"
    if latest is None:
        return f"no row has a timestamp (latest is NULL), {limit}"
    moment = _parse(latest)
    if moment is None:
        return f"latest row at {sql_value(latest)}, {limit}"
    return f"latest row {age_text((now - moment).total_seconds())} old ({sql_value(latest)}), {limit}"


def threshold_text(status: str, severity: str, warn_if: str, error_if: str) -> str | None:
    """Why a check that did not pass is a warning (or a failure): the severity or the dbt thresholds."""
    if status not in ("warn", "fail"):
        return None
    default = {"!=0", "!= 0", ">0", "> 0"}
    if severity == "warn":
        return "severity warn" if warn_if.replace(" ", "") in default else f"severity warn, warn_if {warn_if}"
    if status == "warn":
        return f"warn_if {warn_if} met, error_if {error_if} not"
    return None if error_if.replace(" ", "") in default else f"error_if {error_if}"
