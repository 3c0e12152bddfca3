"""The five verdicts a check, suite or run can have, each with its own word and colour on every page.

`warn` is a failed check of severity warn: it never reads as a failure. `stale`: the relation was not
rebuilt by the build, so the check speaks of old data (the reason is in the check's message).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    key: str
    word: str  # what a person reads
    icon: str
    colour: str  # text/border colour
    background: str  # soft fill
    rank: int  # worse is higher


STATUSES: dict[str, Status] = {
    s.key: s
    for s in (
        Status("pass", "passed", "✔", "#1a7f37", "#dafbe1", 0),
        Status("warn", "warning", "⚠", "#9a6700", "#fff8c5", 1),
        Status("stale", "stale", "◌", "#57606a", "#eaeef2", 2),
        Status("fail", "failed", "✘", "#cf222e", "#ffebe9", 3),
        Status("error", "could not run", "‼", "#8250df", "#fbefff", 4),
    )
}
ORDER = tuple(sorted(STATUSES, key=lambda k: -STATUSES[k].rank))  # worst first
UNKNOWN = Status("unknown", "unknown", "?", "#57606a", "#f6f8fa", -1)
NO_CHECKS = Status("none", "no checks", "-", "#57606a", "#f6f8fa", -1)


def status(key: str | None) -> Status:
    return STATUSES.get(str(key or ""), UNKNOWN)


def worst(keys: Iterable[str]) -> str:
    """The worst verdict among `keys` ("pass" when empty): one warning makes a suite "warn", not red."""
    ranked = [STATUSES[k] for k in keys if k in STATUSES]
    return max(ranked, key=lambda s: s.rank).key if ranked else "pass"


def css() -> str:
    """The colour classes (.st-pass, .st-warn, ...) every page shares."""
    return "\n".join(
        f".st-{s.key} {{ color: {s.colour}; background: {s.background}; border-color: {s.colour}; }}"
        for s in STATUSES.values()
    )
