"""dbt's `warn_if` / `error_if` thresholds on a failure count, and the verdict they give.

dbt's rule (and ours): with severity error, a count that meets `error_if` is an error, else one that
meets `warn_if` is a warning, else a pass. With severity warn, only `warn_if` counts (a warning at most).
A condition is a comparison against an integer: ">0", "!=0", ">= 10", "= 3", "<5".
"""

from __future__ import annotations

import operator
import re

from pef_gx.errors import SuiteError

_CONDITION = re.compile(r"^\s*(>=|<=|!=|<>|==|=|>|<)\s*(-?\d+)\s*$")
_OPS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<>": operator.ne,
}
DEFAULT = "!=0"


def parse_condition(text: str | None, where: str = "") -> tuple[str, int]:
    """(operator, number) of a threshold like '>10'; SuiteError naming `where` when malformed."""
    match = _CONDITION.match(str(text if text is not None else DEFAULT))
    if not match:
        raise SuiteError(
            f"threshold {text!r}{' in ' + where if where else ''} is not a comparison with a number",
            "write it like dbt does: '>0', '!=0', '>=10'",
        )
    return match[1], int(match[2])


def meets(count: int, condition: str | None) -> bool:
    op, number = parse_condition(condition)
    return bool(_OPS[op](count, number))


def verdict(failures: int, severity: str, warn_if: str | None = None, error_if: str | None = None) -> str:
    """'pass' | 'warn' | 'fail' for a failure count (row-level: unexpected rows; table-level: 0 or 1)."""
    if severity == "error" and meets(failures, error_if or DEFAULT):
        return "fail"
    if meets(failures, warn_if or DEFAULT):
        return "warn"
    return "pass"
