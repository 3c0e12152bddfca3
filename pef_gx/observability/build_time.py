"""Build-time tests: a model's dbt execution time in this build against the limits its meta declares,
with the trend from the history store (the model's earlier successful builds).

`past_build_times` reads the store (nothing when there is none yet); `judge_build_time` is pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from pef_gx.errors import PefGxError
from pef_gx.results.model import DbtNodeRun
from pef_gx.settings import Settings

TREND_WINDOW = 10  # earlier builds the trend looks at


@dataclass(frozen=True)
class BuildTimeVerdict:
    status: str  # pass | warn | fail | skipped
    seconds: float | None
    message: str


def past_build_times(
    settings: Settings, node_ids: Sequence[str], before: str, window: int = TREND_WINDOW
) -> dict[str, list[float]]:
    """node_id -> execution times of its earlier successful builds (oldest first), from the history store."""
    if not node_ids:
        return {}
    from pef_gx.observability.config import load_config
    from pef_gx.observability.history import open_store
    from pef_gx.observability.store import sqlite_path

    try:
        config = load_config(settings)
        if config.history.backend == "sqlite" and not sqlite_path(settings.root, config.history).is_file():
            return {}
        out: dict[str, list[float]] = {}
        with open_store(settings, config) as store:
            for node_id in node_ids:
                rows = store.query(
                    "select n.execution_time from {s}node_runs n join {s}runs r on r.run_id = n.run_id"
                    " where n.unique_id = ? and n.status = 'success' and n.execution_time is not null"
                    " and r.started_at < ? order by r.started_at desc limit ?",
                    (node_id, before, window),
                )
                out[node_id] = [float(r["execution_time"]) for r in reversed(rows)]
        return out
    except (PefGxError, OSError):
        return {}  # no trend is no reason to fail the test


def trend_text(seconds: float, past: Sequence[float]) -> str:
    if not past:
        return "no earlier builds in the history"
    median = statistics.median(past)
    change = (seconds - median) / median * 100.0 if median > 0 else 0.0
    arrow = "▲" if change > 0.5 else "▼" if change < -0.5 else "="
    return f"median of the last {len(past)} build(s) {median:.2f}s, {arrow} {change:+.0f}%"


def judge_build_time(
    node: DbtNodeRun | None, warn_after: float | None, error_after: float | None, past: Sequence[float]
) -> BuildTimeVerdict:
    """pass / warn (over warn_after) / fail (over error_after), or skipped when the model did not build."""
    limits = ", ".join(
        f"{word} {value:g}s"
        for word, value in (("warn after", warn_after), ("error after", error_after))
        if value is not None
    )
    if node is None:
        return BuildTimeVerdict("skipped", None, f"not built in this run (not selected): limits {limits}")
    if node.status != "success":
        return BuildTimeVerdict(
            "skipped", None, f"model {node.status} in this build: no build time to check (limits {limits})"
        )
    seconds = float(node.execution_time)
    status = "pass"
    if error_after is not None and seconds > error_after:
        status = "fail"
    elif warn_after is not None and seconds > warn_after:
        status = "warn"
    word = {"pass": "within", "warn": "over the warning limit;", "fail": "over the error limit;"}[status]
    return BuildTimeVerdict(
        status, seconds, f"built in {seconds:.2f}s, {word} {limits}; {trend_text(seconds, past)}"
    )
