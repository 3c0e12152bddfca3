"""Synthetic runs for the observability tests (the store and the detectors are real; only the runs are made up)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pef_gx.results.model import CheckResult, DbtNodeRun, RelationStats, ValidationRun
from pef_gx.settings import Settings

# 60 days ago: inside the default retention (90 days) for runs 0..60
T0 = datetime.now(timezone.utc).replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=60)


def settings_for(root: Path, **sections: Any) -> Settings:
    return Settings(root=root, dbt_project_dir=root / "dbt_project", sections=sections)


def make_run(
    i: int,
    nodes: dict[str, tuple[str, float]] | None = None,
    checks: dict[str, str] | None = None,
    rows: dict[str, int] | None = None,
    lag_hours: dict[str, float] | None = None,
    run_id: str | None = None,
    day: timedelta = timedelta(days=1),
    start: datetime = T0,
) -> ValidationRun:
    """Run number i (one per day from T0). nodes: uid -> (status, seconds); checks: check_id -> status."""
    started = start + i * day
    relations = []
    for uid in sorted(set(rows or {}) | set(lag_hours or {})):
        stamp = None
        if lag_hours and uid in lag_hours:
            stamp = (started - timedelta(hours=lag_hours[uid])).isoformat()
        relations.append(RelationStats(uid, (rows or {}).get(uid), stamp, "loaded_at" if stamp else None))
    return ValidationRun(
        run_id=run_id or f"run-{i:04d}",
        project="pef_shop",
        target_name="duckdb",
        target_type="duckdb",
        schema="main",
        command="build",
        started_at=started.isoformat(),
        finished_at=(started + timedelta(minutes=1)).isoformat(),
        elapsed_s=60.0,
        dbt_nodes=[
            DbtNodeRun(uid, status, secs, None if status in ("success", "pass") else f"{status} in {uid}")
            for uid, (status, secs) in (nodes or {}).items()
        ],
        checks=[
            CheckResult(
                cid,
                "suite",
                "model.pef_shop.stg_orders",
                "stg_orders",
                ("order_id",),
                "not_null",
                "expect_column_values_to_not_be_null",
                "dbt_test",
                None,
                "completeness",
                "error",
                "row",
                status,
                100,
                0 if status == "pass" else 3,
            )
            for cid, status in (checks or {}).items()
        ],
        relations=relations,
    )
