"""A generated history for the site index at scale: 500 suites x 50 runs on two engines, deterministic.

Used by tests/validation/test_site.py (the index works with it) and bench/site_index_bench.py (its load
time in Chromium).
"""

from __future__ import annotations

import random
from pathlib import Path

from pef_gx.checks.spec import DIMENSIONS
from pef_gx.reporting.site.builder import SiteData, render_index
from pef_gx.results.model import CheckResult, ValidationRun

KINDS = ("not_null", "unique", "accepted_values", "relationships", "recency")


def generated_runs(
    suites: int = 500, runs: int = 50, checks_per_suite: int = 4, seed: int = 7
) -> list[ValidationRun]:
    rng = random.Random(seed)
    out = []
    for r in range(runs):
        engine = ("duckdb", "dev") if r % 2 == 0 else ("postgres", "ci")
        day, hour = 1 + r // 4, (r % 4) * 6
        started = f"2026-10-{day:02d}T{hour:02d}:00:00+00:00"
        checks = []
        for s in range(suites):
            name = f"model_{s:03d}"
            for c in range(checks_per_suite):
                severity = "warn" if c == 3 else "error"
                roll = rng.random()
                status = "pass"
                if roll < 0.04:
                    status = "warn" if severity == "warn" else "fail"
                elif roll < 0.045:
                    status = "error"
                elif roll < 0.05:
                    status = "stale"
                checks.append(
                    CheckResult(
                        check_id=f"{s:03d}{c}",
                        suite=name,
                        node_id=f"model.big.{name}",
                        node_name=name,
                        columns=(f"col_{c}",),
                        kind=KINDS[c % len(KINDS)],
                        expectation_type="expect_column_values_to_not_be_null",
                        origin_type="dbt_test",
                        origin_ref=None,
                        dimension=DIMENSIONS[(s + c) % len(DIMENSIONS)],
                        severity=severity,
                        level="row",
                        status=status,
                        element_count=1000,
                        unexpected_count=0 if status == "pass" else 3,
                    )
                )
        out.append(
            ValidationRun(
                run_id=f"run-{r:02d}",
                project="big",
                target_name=engine[1],
                target_type=engine[0],
                schema="main",
                command="build",
                started_at=started,
                finished_at=started,
                elapsed_s=1.0,
                checks=checks,
            )
        )
    return out


def write_large_index(folder: Path, suites: int = 500, runs: int = 50) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(
        render_index(SiteData(project="big", runs=generated_runs(suites, runs))), encoding="utf-8"
    )
    return path
