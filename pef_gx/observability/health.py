"""Health of a project over its recorded runs (pure functions over StoredRun lists).

Success/failure rates and their trend (overall and per model), the slowest models, execution-time
regressions against a rolling median (ratio AND minimum seconds), checks that flip between pass and
fail, recent anomalies, and optimisation hints from the manifest (lineage, materialisation) + timings.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pef_gx.observability.config import HealthConfig
from pef_gx.observability.history import FAILED_NODE, StoredRun
from pef_gx.observability.lineage import Lineage

BUILT_TYPES = ("model", "seed", "snapshot")
_PASSING = ("success", "pass")


@dataclass(frozen=True)
class Rate:
    total: int
    failed: int
    success_rate: float | None  # 0..1, None when total is 0
    trend: str | None  # improving | worsening | stable | None (fewer than 4 runs)


@dataclass(frozen=True)
class ModelHealth:
    unique_id: str
    name: str
    rate: Rate
    last_status: str
    median_time_s: float
    latest_time_s: float


@dataclass(frozen=True)
class Regression:
    unique_id: str
    name: str
    latest_s: float
    baseline_s: float  # rolling median of the previous runs
    ratio: float
    delta_s: float


@dataclass(frozen=True)
class Flapping:
    check: str  # a dbt test unique_id or a GX check_id
    name: str
    source: str  # dbt_test | gx_check
    flips: int
    history: str  # e.g. "PFPPF" oldest first (P pass, F fail/error, W warn)


@dataclass(frozen=True)
class Hint:
    kind: str  # slow_view_many_children | large_full_rebuild | slow_test | dominant_model
    unique_id: str
    name: str
    message: str


@dataclass
class HealthReport:
    runs: int
    first_run: str | None
    last_run: str | None
    last_run_id: str | None
    overall: Rate
    nodes: Rate  # all node executions
    models: list[ModelHealth] = field(default_factory=list)
    slowest: list[ModelHealth] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    flapping: list[Flapping] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)  # run_id, started_at, score
    recent_runs: list[dict[str, Any]] = field(default_factory=list)
    last_status: str | None = None  # status of the latest run (ok, warn, stale, unchecked, failed)
    stale: dict[str, str] = field(default_factory=dict)  # latest run: model name -> why it is stale

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _trend(outcomes: Sequence[bool]) -> str | None:
    """Success rate of the newer half against the older half."""
    if len(outcomes) < 4:
        return None
    half = len(outcomes) // 2
    older = sum(outcomes[:half]) / half
    newer = sum(outcomes[half:]) / (len(outcomes) - half)
    if newer - older >= 0.1:
        return "improving"
    if older - newer >= 0.1:
        return "worsening"
    return "stable"


def _rate(outcomes: Sequence[bool]) -> Rate:
    total = len(outcomes)
    failed = sum(1 for ok in outcomes if not ok)
    return Rate(total, failed, (total - failed) / total if total else None, _trend(outcomes))


def _letter(status: str) -> str:
    return {"pass": "P", "success": "P", "warn": "W", "fail": "F", "error": "F", "runtime error": "F"}.get(
        status, "?"
    )


def compute_health(
    runs: Sequence[StoredRun], config: HealthConfig, lineage: Lineage | None = None
) -> HealthReport:
    lineage = lineage or Lineage()
    runs = list(runs)[-int(config.window) :] if config.window else list(runs)
    report = HealthReport(
        runs=len(runs),
        first_run=runs[0].started_at if runs else None,
        last_run=runs[-1].started_at if runs else None,
        last_run_id=runs[-1].run_id if runs else None,
        overall=_rate([r.run["status"] != "failed" for r in runs]),
        nodes=_rate([n["status"] not in FAILED_NODE for r in runs for n in r.nodes.values()]),
        last_status=str(runs[-1].run.get("status")) if runs else None,
    )
    if runs:
        for check in runs[-1].checks.values():
            if check["status"] == "stale":
                report.stale[str(check.get("node_name"))] = str(check.get("message") or "not rebuilt")
    times: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, list[bool]] = defaultdict(list)
    statuses: dict[str, list[str]] = defaultdict(list)
    for run in runs:
        for uid, node in run.nodes.items():
            if node["status"] == "skipped":
                continue
            times[uid].append(float(node["execution_time"] or 0.0))
            outcomes[uid].append(node["status"] not in FAILED_NODE)
            statuses[uid].append(str(node["status"]))
    for uid in sorted(outcomes):
        if uid.split(".", 1)[0] not in BUILT_TYPES:
            continue
        report.models.append(
            ModelHealth(
                uid,
                lineage.name(uid),
                _rate(outcomes[uid]),
                statuses[uid][-1],
                statistics.median(times[uid]),
                times[uid][-1],
            )
        )
    report.slowest = sorted(report.models, key=lambda m: (-m.median_time_s, m.unique_id))[
        : int(config.slowest)
    ]
    report.regressions = _regressions(runs, config, lineage)
    report.flapping = _flapping(runs, config, lineage)
    report.hints = _hints(runs, times, config, lineage)
    for run in runs:
        if run.run.get("score") is not None:
            report.scores.append(
                {
                    "run_id": run.run_id,
                    "started_at": run.started_at,
                    "score": run.run["score"],
                    "target": f"{run.run.get('target_type') or ''}/{run.run.get('target_name') or ''}",
                }
            )
        for (node_id, metric), row in sorted(run.metrics.items()):
            if row.get("anomaly"):
                report.anomalies.append(
                    {
                        "run_id": run.run_id,
                        "started_at": run.started_at,
                        "node_id": node_id,
                        "name": lineage.name(node_id),
                        "metric": metric,
                        "value": row["value"],
                        "baseline": row["baseline"],
                    }
                )
    report.recent_runs = [
        {
            k: r.run.get(k)
            for k in (
                "run_id",
                "started_at",
                "command",
                "status",
                "nodes_failed",
                "checks_failed",
                "score",
                "elapsed_s",
            )
        }
        for r in reversed(runs[-10:])
    ]
    return report


def _regressions(runs: Sequence[StoredRun], config: HealthConfig, lineage: Lineage) -> list[Regression]:
    if len(runs) < 2:
        return []
    latest = runs[-1]
    found: list[Regression] = []
    for uid, node in latest.nodes.items():
        if uid.split(".", 1)[0] not in BUILT_TYPES or node["status"] not in _PASSING:
            continue
        past = [
            float(r.nodes[uid]["execution_time"] or 0.0)
            for r in runs[:-1]
            if uid in r.nodes and r.nodes[uid]["status"] in _PASSING
        ]
        if len(past) < 3:
            continue
        baseline = statistics.median(past)
        now = float(node["execution_time"] or 0.0)
        delta = now - baseline
        ratio = now / baseline if baseline > 0 else float("inf")
        if delta >= config.regression_min_seconds and ratio >= config.regression_ratio:
            found.append(
                Regression(uid, lineage.name(uid), now, baseline, ratio if baseline > 0 else 0.0, delta)
            )
    return sorted(found, key=lambda r: -r.delta_s)


def _flapping(runs: Sequence[StoredRun], config: HealthConfig, lineage: Lineage) -> list[Flapping]:
    series: dict[tuple[str, str], list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for run in runs:
        for uid, node in run.nodes.items():
            if uid.startswith("test.") and node["status"] != "skipped":
                series[(uid, "dbt_test")].append(str(node["status"]))
        for cid, check in run.checks.items():
            if check["status"] == "stale":
                continue  # not validated: neither a pass nor a failure
            series[(cid, "gx_check")].append(str(check["status"]))
            names[cid] = f"{check.get('node_name')}: {check.get('kind')}"
    found = []
    for (key, source), states in series.items():
        passed = [s in ("pass", "success") for s in states if s != "error" or source == "dbt_test"]
        flips = sum(1 for a, b in itertools.pairwise(passed) if a != b)
        if flips >= config.flapping_min_flips:
            found.append(
                Flapping(
                    key,
                    names.get(key) or lineage.name(key),
                    source,
                    flips,
                    "".join(_letter(s) for s in states),
                )
            )
    return sorted(found, key=lambda f: (-f.flips, f.check))


def _hints(
    runs: Sequence[StoredRun], times: dict[str, list[float]], config: HealthConfig, lineage: Lineage
) -> list[Hint]:
    if not runs:
        return []
    median = {uid: statistics.median(v) for uid, v in times.items() if v}
    latest = runs[-1]
    rows = {node_id: row["value"] for (node_id, metric), row in latest.metrics.items() if metric == "rows"}
    hints: list[Hint] = []
    for uid, info in sorted(lineage.nodes.items()):
        if info.resource_type != "model":
            continue
        children = [c for c in lineage.children.get(uid, []) if c.split(".", 1)[0] in BUILT_TYPES]
        if info.materialized == "view" and len(children) >= config.view_children_hint:
            cost = sum(median.get(c, 0.0) for c in children)
            if cost >= config.view_children_seconds:
                hints.append(
                    Hint(
                        "slow_view_many_children",
                        uid,
                        info.name,
                        f"view {info.name} is read by {len(children)} models taking {cost:.1f}s together:"
                        " each recomputes it; materialize it as a table",
                    )
                )
        if info.full_refresh_every_run and info.resource_type == "model" and uid in median:
            size = rows.get(uid)
            if (size is not None and size >= config.large_table_rows) or median[
                uid
            ] >= config.large_table_seconds:
                what = f"{int(size):,} rows" if size is not None else "its data"
                hints.append(
                    Hint(
                        "large_full_rebuild",
                        uid,
                        info.name,
                        f"table {info.name} rebuilds {what} in full every run ({median[uid]:.1f}s median):"
                        " make it incremental",
                    )
                )
    for uid, seconds in sorted(median.items()):
        info = lineage.nodes.get(uid)
        if (
            uid.startswith("test.")
            and info
            and info.attached_node
            and seconds >= config.view_children_seconds
        ):
            model_time = median.get(info.attached_node, 0.0)
            if seconds > model_time:
                hints.append(
                    Hint(
                        "slow_test",
                        uid,
                        info.name,
                        f"test {info.name} takes {seconds:.1f}s, longer than building"
                        f" {lineage.name(info.attached_node)} ({model_time:.1f}s): add a where: filter"
                        " or test a recent slice",
                    )
                )
    total = sum(median.get(uid, 0.0) for uid in latest.nodes)
    for uid in latest.nodes:
        if (
            uid.split(".", 1)[0] in BUILT_TYPES
            and total > 0
            and median.get(uid, 0.0) >= 0.5 * total
            and median[uid] >= config.regression_min_seconds * 5
        ):
            hints.append(
                Hint(
                    "dominant_model",
                    uid,
                    lineage.name(uid),
                    f"{lineage.name(uid)} takes {median[uid] / total:.0%} of the build time",
                )
            )
    return hints
