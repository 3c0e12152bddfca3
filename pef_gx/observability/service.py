"""The observability entry points the CLI and the runner call (one function per command)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pef_gx.errors import ArtifactError, ConfigError
from pef_gx.observability.alerts import AlertReport, apply_dedup, evaluate, record_deliveries, send
from pef_gx.observability.config import load_config
from pef_gx.observability.explain import Explanation, explain_nodes
from pef_gx.observability.health import HealthReport, compute_health
from pef_gx.observability.history import (
    RecordedRun,
    find_run,
    load_runs,
    open_store,
    parse_time,
    record_run,
    utc_iso,
)
from pef_gx.observability.lineage import Lineage, load_lineage
from pef_gx.observability.store import HistoryStore
from pef_gx.results.model import ValidationRun
from pef_gx.settings import Settings


def manifest_path(settings: Settings) -> Path | None:
    from pef_gx.artifacts.project import load_dbt_project

    try:
        return load_dbt_project(settings.dbt_project_dir).manifest_path
    except Exception:
        return None


def current_lineage(settings: Settings) -> Lineage:
    """The lineage of the project's latest manifest; empty when there is none (health still works)."""
    path = manifest_path(settings)
    if path is None or not path.is_file():
        return Lineage()
    try:
        return load_lineage(path)
    except ArtifactError:
        return Lineage()


def health_report(settings: Settings, since: str | None = None) -> HealthReport:
    config = load_config(settings)
    with open_store(settings, config, create=False) as store:
        runs = load_runs(store, since=since, limit=max(int(config.health.window), 1) if not since else None)
    return compute_health(runs, config.health, current_lineage(settings))


def explain_run(settings: Settings, run_id: str | None = None) -> Explanation:
    config = load_config(settings)
    with open_store(settings, config, create=False) as store:
        run = find_run(store, run_id)
    return explain_nodes(run.run_id, run.nodes, current_lineage(settings), run.checks)


def alerts_for_run(
    settings: Settings,
    run_id: str | None = None,
    store: HistoryStore | None = None,
    lineage: Lineage | None = None,
) -> AlertReport:
    """Evaluate the alert conditions on a recorded run, deduplicate against the store, send, record."""
    config = load_config(settings)
    own = store is None
    store = store or open_store(settings, config, create=False)
    try:
        run = find_run(store, run_id)
        previous = load_runs(store, limit=int(config.health.window) + 1, before=run.started_at)
        lineage = lineage or current_lineage(settings)
        active, evaluated, notes = evaluate(run, previous, lineage, config.alerts, config.health)
        report = apply_dedup(store, run.run_id, active, evaluated, notes=notes)
        send(report, config.alerts.channels, settings.root, run.run.get("project"))
        if report.deliveries:
            record_deliveries(store, report)
        return report
    finally:
        if own:
            store.close()


def scores_for(run: ValidationRun) -> dict[str, float] | None:
    """{"overall": .., "<dimension>": ..} from the scoring engine, or None when the run has no checks."""
    if not run.checks:
        return None
    from pef_gx.scoring.compute import score_run

    report = score_run(run)
    scores = {name: dim.score for name, dim in report.dimensions.items() if dim.score is not None}
    if report.overall is not None:
        scores["overall"] = report.overall
    return scores or None


@dataclass
class HistoryOutcome:
    recorded: RecordedRun
    alerts: AlertReport | None  # None when pef-gx.yml has no alerts: section
    measured_relations: int = 0


def record_and_alert(
    settings: Settings,
    run: ValidationRun,
    scores: dict[str, float] | None = None,
    target: Any | None = None,
    measure: bool = True,
) -> HistoryOutcome:
    """What runs after every build/checkpoint: measure volume/freshness, record, then alert if configured."""
    config = load_config(settings)
    lineage = current_lineage(settings)
    if scores is None:
        scores = scores_for(run)
    measured = 0
    if measure and target is not None and lineage.nodes:
        from pef_gx.artifacts.json_artifact import load_artifact
        from pef_gx.observability.relations import fill_relation_stats

        path = manifest_path(settings)
        data = load_artifact(path, "manifest", range(10, 13), "dbt parse") if path else {}
        nodes = {**(data.get("sources") or {}), **(data.get("nodes") or {})}
        try:
            measured = fill_relation_stats(run, lineage, nodes, target)
        except Exception:  # measuring is best effort: a locked or unreachable warehouse must not lose the run
            measured = 0
    with open_store(settings, config) as store:
        recorded = record_run(settings, run, scores, store=store)
        report = (
            alerts_for_run(settings, run.run_id, store=store, lineage=lineage)
            if config.alerts_configured
            else None
        )
    return HistoryOutcome(recorded, report, measured)


def parse_since(text: str | None, now: datetime | None = None) -> str | None:
    """`--since`: an ISO date/time, or a span back from now: 30m, 12h, 7d, 2w."""
    if not text:
        return None
    text = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if text[-1:].lower() in units and text[:-1].replace(".", "", 1).isdigit():
        moment = (now or datetime.now(timezone.utc)) - timedelta(
            **{units[text[-1].lower()]: float(text[:-1])}
        )
        return utc_iso(moment)
    try:
        return utc_iso(parse_time(text))
    except ValueError:
        raise ConfigError(
            f"--since '{text}' is neither a date nor a span", "e.g. --since 7d or --since 2026-11-01"
        ) from None


def health_page_path(settings: Settings) -> Path:
    """Beside Data Docs (gx/uncommitted/data_docs/local_site/)."""
    return settings.gx_dir / "uncommitted" / "data_docs" / "local_site" / "pef-gx-health.html"
