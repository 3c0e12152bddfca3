"""Record runs in the history store and read them back.

`record_run(settings, run)` is what `pef-gx build` and `pef-gx checkpoint` call after the checkpoint: it
stores dbt's node results, the check results, the scores and per model the row count and freshness lag,
judges volume and freshness against their past (anomalies are stored as such and kept out of later
baselines), and applies the retention setting, all in one transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pef_gx.errors import DatabaseError
from pef_gx.observability.config import AnomalyConfig, ObservabilityConfig, load_config
from pef_gx.observability.store import HistoryStore, open_postgres, open_sqlite, postgres_dsn, sqlite_path
from pef_gx.results.model import DbtNodeRun, RelationStats, ValidationRun
from pef_gx.settings import Settings

if TYPE_CHECKING:  # (numpy, which the detector needs, is imported when a run is judged: not on start-up)
    from pef_gx.observability.anomalies import Verdict

FAILED_NODE = ("error", "fail", "runtime error")
METRIC_ROWS = "rows"
METRIC_LAG = "lag_hours"


def utc_iso(value: str | datetime | None = None) -> str:
    """One sortable text form for every timestamp in the store: 2026-11-26T20:01:09.123456Z."""
    if value is None:
        moment = datetime.now(timezone.utc)
    elif isinstance(value, datetime):
        moment = value
    else:
        moment = parse_time(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    cleaned = text.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    moment = datetime.fromisoformat(cleaned)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _target(settings: Settings) -> Any | None:
    from pef_gx.artifacts.profiles import load_target
    from pef_gx.artifacts.project import load_dbt_project

    try:
        project = load_dbt_project(settings.dbt_project_dir)
        return load_target(project, settings.profiles_dir, settings.target)
    except Exception:  # the target is only a fallback for the postgres DSN
        return None


def open_store(
    settings: Settings, config: ObservabilityConfig | None = None, create: bool = True
) -> HistoryStore:
    """The configured store (SQLite file by default), tables created when missing."""
    config = config or load_config(settings)
    history = config.history
    if history.backend == "postgres":
        dsn, where = postgres_dsn(history, _target(settings))
        return open_postgres(dsn, history.schema, where)
    return open_sqlite(sqlite_path(settings.root, history), history.busy_timeout_s, create=create)


@dataclass(frozen=True)
class MetricVerdict:
    node_id: str
    metric: str  # rows | lag_hours
    verdict: Verdict


@dataclass
class RecordedRun:
    run_id: str
    store: str
    status: str
    metrics: list[MetricVerdict] = field(default_factory=list)
    pruned: int = 0

    @property
    def anomalies(self) -> list[MetricVerdict]:
        return [m for m in self.metrics if m.verdict.anomaly]


def run_status(run: ValidationRun) -> str:
    """failed | stale (checked relations dbt did not rebuild) | unchecked (nothing validated) | warn | ok."""
    if any(n.status in FAILED_NODE for n in run.dbt_nodes) or run.failed_errors:
        return "failed"
    if run.stale_checks:
        return "stale"
    if not run.validated_checks and not any(n.unique_id.startswith("test.") for n in run.dbt_nodes):
        return "unchecked"  # neither a GX check nor a dbt test looked at the data
    if any(n.status == "warn" for n in run.dbt_nodes) or any(
        c.status in ("warn", "fail", "error") for c in run.checks
    ):
        return "warn"
    return "ok"


def _lag_hours(run: ValidationRun, max_timestamp: str | None) -> float | None:
    if not max_timestamp:
        return None
    try:
        return (parse_time(run.started_at) - parse_time(max_timestamp)).total_seconds() / 3600.0
    except ValueError:
        return None


def _stamp(metric: str, rel: RelationStats) -> dict[str, str | None]:
    """The lag metric keeps the observed latest timestamp and its column beside the verdict."""
    if metric != METRIC_LAG:
        return {}
    return {"max_timestamp": rel.max_timestamp, "timestamp_column": rel.timestamp_column}


def _past_points(
    store: HistoryStore, node_id: str, metric: str, run_id: str, before: str, limit: int
) -> list[tuple[str, float]]:
    """(started_at, value) of the metric's earlier runs, oldest first, anomalies included: the detector
    decides again which values were anomalies and where a new level began."""
    rows = store.query(
        "select r.started_at, m.value from {s}metrics m join {s}runs r on r.run_id = m.run_id"
        " where m.node_id = ? and m.metric = ? and m.value is not null"
        " and m.run_id <> ? and r.started_at < ? order by r.started_at desc limit ?",
        (node_id, metric, run_id, before, limit),
    )
    return [(str(r["started_at"]), float(r["value"])) for r in reversed(rows)]


def judge_metric(
    store: HistoryStore,
    config: AnomalyConfig,
    run_id: str,
    started: str,
    node_id: str,
    metric: str,
    value: float,
) -> Verdict:
    from pef_gx.observability.anomalies import detect

    points = [
        *_past_points(store, node_id, metric, run_id, started, 2 * int(config.window)),
        (started, value),
    ]
    moments = [parse_time(stamp) for stamp, _ in points]
    origin = moments[0]
    days = [(m - origin).total_seconds() / 86400.0 for m in moments]
    weekdays = [m.weekday() for m in moments]
    values = [v for _, v in points]
    common = {
        "threshold": config.threshold,
        "window": int(config.window),
        "min_history": int(config.min_history),
    }
    if metric == METRIC_LAG:
        verdict = detect(values, days, weekdays, min_abs_change=config.min_abs_lag_hours, direction="up",
                         log_scale=False, trend=False, unit=" h", **common)[-1]  # fmt: skip
        if config.stale_after_hours is not None and value > config.stale_after_hours and not verdict.anomaly:
            verdict = replace(
                verdict,
                anomaly=True,
                direction="spike",
                event="anomaly",
                reason=f"lag {value:.1f} h beyond stale_after_hours {config.stale_after_hours:g}",
                basis=verdict.basis or f"absolute rule: stale_after_hours {config.stale_after_hours:g}",
            )
        return verdict
    return detect(values, days, weekdays, min_abs_change=config.min_abs_rows,
                  min_rel_change=config.min_rel_change, **common)[-1]  # fmt: skip


def record_run(
    settings: Settings,
    run: ValidationRun,
    scores: Mapping[str, float] | None = None,
    store: HistoryStore | None = None,
    now: str | None = None,
) -> RecordedRun:
    """Store `run` (replacing an earlier record of the same run_id) in one transaction; prune by retention.

    `scores`: {"overall": 87.5, "completeness": ...} from the scoring step, when it ran.
    """
    config = load_config(settings)
    own = store is None
    store = store or open_store(settings, config)
    try:
        return _record(store, config, run, scores, now)
    finally:
        if own:
            store.close()


def _record(
    store: HistoryStore,
    config: ObservabilityConfig,
    run: ValidationRun,
    scores: Mapping[str, float] | None,
    now: str | None,
) -> RecordedRun:
    started = utc_iso(run.started_at)
    status = run_status(run)
    recorded_at = utc_iso(now)
    score = None
    if scores:
        overall = scores.get("overall")
        score = float(overall) if overall is not None else None
    row = {
        "run_id": run.run_id,
        "project": run.project,
        "target_name": run.target_name,
        "target_type": run.target_type,
        "schema_name": run.schema,
        "command": run.command,
        "started_at": started,
        "finished_at": utc_iso(run.finished_at) if run.finished_at else None,
        "elapsed_s": run.elapsed_s,
        "dbt_invocation_id": run.dbt_invocation_id,
        "dbt_elapsed_s": run.dbt_elapsed_s,
        "status": status,
        "nodes_failed": sum(1 for n in run.dbt_nodes if n.status in FAILED_NODE),
        "checks_failed": len(run.failed_errors),
        "score": score,
        "scores_json": json.dumps(dict(scores), sort_keys=True) if scores else None,
        "recorded_at": recorded_at,
    }
    nodes = [
        (
            run.run_id,
            n.unique_id,
            n.unique_id.split(".", 1)[0],
            n.status,
            n.execution_time,
            n.rows_affected,
            n.failures,
            (n.message or "")[:2000] or None,
        )
        for n in run.dbt_nodes
    ]
    checks = [
        (
            run.run_id,
            c.check_id,
            c.node_id,
            c.node_name,
            c.kind,
            c.dimension,
            c.severity,
            c.status,
            c.element_count,
            c.unexpected_count,
            (c.message or "")[:2000] or None,
        )
        for c in run.checks
    ]
    verdicts: list[MetricVerdict] = []
    metrics: list[tuple] = []
    for rel in run.relations:
        for metric, value in ((METRIC_ROWS, rel.row_count), (METRIC_LAG, _lag_hours(run, rel.max_timestamp))):
            if value is None:
                continue
            verdict = judge_metric(
                store, config.anomalies, run.run_id, started, rel.node_id, metric, float(value)
            )
            verdicts.append(MetricVerdict(rel.node_id, metric, verdict))
            metrics.append(
                (
                    run.run_id,
                    rel.node_id,
                    metric,
                    float(value),
                    verdict.baseline,
                    1 if verdict.anomaly else 0,
                    json.dumps({**verdict.to_dict(), **_stamp(metric, rel)}, sort_keys=True),
                )
            )
    cutoff = None
    if config.history.retention_days is not None:
        cutoff = utc_iso(parse_time(recorded_at) - timedelta(days=float(config.history.retention_days)))
    with store.transaction() as cur:
        store.write_run(cur, row, nodes, checks, metrics)
        pruned = store.prune(cur, cutoff, int(config.history.max_runs) if config.history.max_runs else None)
    return RecordedRun(run.run_id, store.where, status, verdicts, pruned)


# -- reading --------------------------------------------------------------------------------------
@dataclass
class StoredRun:
    run: dict[str, Any]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # unique_id -> row
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)  # check_id -> row
    metrics: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (node_id, metric) -> row

    @property
    def run_id(self) -> str:
        return str(self.run["run_id"])

    @property
    def started_at(self) -> str:
        return str(self.run["started_at"])


def load_runs(
    store: HistoryStore,
    since: str | None = None,
    limit: int | None = None,
    run_id: str | None = None,
    before: str | None = None,
) -> list[StoredRun]:
    """Runs oldest first, each with its nodes, checks and metrics."""
    sql, params = "select * from {s}runs where 1 = 1", []
    if since:
        sql += " and started_at >= ?"
        params.append(utc_iso(since))
    if run_id:
        sql += " and run_id = ?"
        params.append(run_id)
    if before:
        sql += " and started_at < ?"
        params.append(utc_iso(before))
    sql += " order by started_at desc, run_id desc"
    if limit:
        sql += " limit ?"
        params.append(int(limit))
    runs = [StoredRun(r.data) for r in reversed(store.query(sql, params))]
    if not runs:
        return runs
    by_id = {r.run_id: r for r in runs}
    first = runs[0].started_at
    join = " x join {s}runs r on r.run_id = x.run_id where r.started_at >= ?"
    for row in store.query("select x.* from {s}node_runs" + join, (first,)):
        if row["run_id"] in by_id:
            by_id[row["run_id"]].nodes[row["unique_id"]] = row.data
    for row in store.query("select x.* from {s}check_runs" + join, (first,)):
        if row["run_id"] in by_id:
            by_id[row["run_id"]].checks[row["check_id"]] = row.data
    for row in store.query("select x.* from {s}metrics" + join, (first,)):
        if row["run_id"] in by_id:
            by_id[row["run_id"]].metrics[(row["node_id"], row["metric"])] = row.data
    return runs


def find_run(store: HistoryStore, run_id: str | None) -> StoredRun:
    """One run by id (a unique prefix is enough), or the latest."""
    if run_id:
        matches = store.query(
            "select run_id from {s}runs where run_id like ? order by started_at desc",
            (run_id.replace("%", "") + "%",),
        )
        if not matches:
            raise DatabaseError(
                f"no run '{run_id}' in the run history ({store.where})",
                "`pef-gx health` lists recent runs; omit RUN_ID for the latest",
            )
        if len(matches) > 1 and matches[0]["run_id"] != run_id:
            raise DatabaseError(
                f"run id prefix '{run_id}' matches {len(matches)} runs", "give more characters"
            )
        return load_runs(store, run_id=matches[0]["run_id"])[0]
    runs = load_runs(store, limit=1)
    if not runs:
        raise DatabaseError(
            f"the run history ({store.where}) is empty", "run `pef-gx build` or `pef-gx checkpoint` first"
        )
    return runs[0]


def run_from_run_results(results: Any, project: str, target: Any, command: str = "build") -> ValidationRun:
    """A ValidationRun holding only dbt's side (for a build recorded without a checkpoint)."""
    started = (
        min((r.started_at for r in results.results if r.started_at), default=None) or results.generated_at
    )
    return ValidationRun(
        run_id=results.invocation_id or uuid.uuid4().hex,
        project=project,
        target_name=getattr(target, "name", ""),
        target_type=getattr(target, "type", ""),
        schema=getattr(target, "schema", ""),
        command=command,
        started_at=utc_iso(started or None),
        finished_at=utc_iso(results.generated_at or None),
        elapsed_s=results.elapsed_time,
        dbt_invocation_id=results.invocation_id or None,
        dbt_elapsed_s=results.elapsed_time,
        dbt_nodes=[
            DbtNodeRun(r.unique_id, r.status, r.execution_time, r.message, r.failures, r.rows_affected)
            for r in results.results
        ],
    )


def row_count_history(settings: Settings, node_ids: list[str], limit: int = 30) -> dict[str, list[int]]:
    """The recorded row counts of each node, newest first (at most `limit` runs each, values the detector
    flagged as anomalies left out): what `generate --infer` learns row-count bounds from. {} when no
    history was recorded yet."""
    config = load_config(settings)
    if config.history.backend != "postgres" and not sqlite_path(settings.root, config.history).exists():
        return {}
    store = open_store(settings, config)
    try:
        out: dict[str, list[int]] = {}
        for node_id in node_ids:
            rows = store.query(
                "select m.value from {s}metrics m join {s}runs r on r.run_id = m.run_id"
                " where m.node_id = ? and m.metric = ? and m.value is not null and m.anomaly = 0"
                " order by r.started_at desc limit ?",
                (node_id, METRIC_ROWS, int(limit)),
            )
            if rows:
                out[node_id] = [int(r["value"]) for r in rows]
        return out
    finally:
        store.close()
