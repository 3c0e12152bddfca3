"""Check results made in the runner, around the engine: stale ones (never validated) and their wording.

Kept out of pef_gx.validation.engine on purpose: the engine validates; whether a relation is current
(pef_gx.artifacts.rebuilt) and how a result reads (pef_gx.results.describe) are decided here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pef_gx.results.describe import LAG_KINDS, lag_text, threshold_text
from pef_gx.results.model import CheckResult


def stale_result(check: Any, suite: Any, node_id: str | None, reason: str) -> CheckResult:
    """The result of a check whose relation dbt did not rebuild: status 'stale', not validated."""
    node = check.node_id or node_id or suite.node_id or ""
    return CheckResult(
        check_id=check.check_id,
        suite=suite.name,
        node_id=node,
        node_name=node.split(".")[-1],
        columns=tuple(check.columns),
        kind=check.kind,
        expectation_type=check.gx_type,
        origin_type=check.origin_type,
        origin_ref=check.origin_ref,
        dimension=check.dimension,
        severity=check.severity,
        level=check.level,
        status="stale",
        message=reason,
    )


def _params(check: Any) -> dict[str, Any]:
    meta = (check.expectation or {}).get("meta") or {}
    own = meta.get("pef_gx") if isinstance(meta.get("pef_gx"), dict) else {}
    params = own.get("params")
    return dict(params) if isinstance(params, dict) else {}


def describe(result: CheckResult, check: Any | None, now: datetime) -> CheckResult:
    """`result` with a message people can act on: freshness as a lag, and the threshold behind a warning."""
    if check is None or result.status in ("error", "stale"):
        return result
    message = result.message
    params = _params(check)
    if result.kind in LAG_KINDS and "interval" in params:
        latest = result.unexpected_values[0] if result.unexpected_values else None
        message = lag_text(
            result.status == "pass",
            latest,
            now,
            result.severity,
            str(params.get("datepart") or "day"),
            int(params["interval"]),
        )
    why = threshold_text(result.status, result.severity, check.warn_if, check.error_if)
    if why:
        message = f"{message}; {why}" if message else why
    return result if message == result.message else dataclasses.replace(result, message=message)


def describe_checks(
    results: Iterable[CheckResult], suites: Sequence[Any], now: datetime
) -> list[CheckResult]:
    by_key = {(s.name, c.check_id): c for s in suites for c in s.checks}
    return [describe(r, by_key.get((r.suite, r.check_id)), now) for r in results]
