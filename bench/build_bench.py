"""Build benchmark: the sample project's `pef-gx build` (dbt build, checkpoint, Data Docs, site) against
`dbt build` alone, on the embedded DuckDB default.

Both run in a private copy of the repository's layout under bench/out/build/ (dbt_project/, suites/,
gx/, pef-gx.yml), each as its own process, in PEF_BENCH_ROUNDS interleaved rounds (default 5): the
machine is shared, so each round's ratio is printed and the target is judged on the median ratio.
Also prints where pef-gx's time after dbt goes (the results file's phases). Target (issue 11): pef-gx
build within 1.3x of dbt build alone.

Run: python bench/build_bench.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
from pathlib import Path

from checkpoint_bench import BIN, OUT, ROUNDS, measured  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
WS = OUT / "build"
TARGET = 1.3


def workspace() -> Path:
    """A copy of the repository's layout, without anything a run writes (each round starts alike)."""
    shutil.rmtree(WS, ignore_errors=True)
    WS.mkdir(parents=True)
    skip = shutil.ignore_patterns("target", "logs", "dbt_packages", "*.duckdb*", "uncommitted", "spark_*")
    for folder in ("dbt_project", "suites", "gx"):
        shutil.copytree(REPO / folder, WS / folder, ignore=skip)
    shutil.copy2(REPO / "pef-gx.yml", WS / "pef-gx.yml")
    return WS


def main() -> int:
    rounds = ROUNDS if "PEF_BENCH_ROUNDS" in os.environ else 5
    ws = workspace()
    # from the project folder, as pef-gx runs it: dbt-duckdb opens a relative `path:` from the working directory
    dbt = [str(BIN / "dbt"), "build", "--project-dir", ".", "--profiles-dir", ".", "-q"]
    pef = [str(BIN / "pef-gx"), "build", "-q"]
    measured(dbt, ws / "dbt_project")  # warm-up: the DuckDB file, dbt's partial parse, the OS cache
    measured(pef, ws)
    print(f"sample project on DuckDB, {rounds} interleaved rounds, whole processes")
    print(f"  {'round':<6}{'dbt build':>11}{'pef-gx build':>14}{'ratio':>8}  pef-gx after dbt (s)")
    ratios, dbt_times, pef_times = [], [], []
    for n in range(1, rounds + 1):
        t_dbt, _, proc = measured(dbt, ws / "dbt_project")
        if proc.returncode not in (0, 1):
            raise SystemExit(f"dbt build failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        t_pef, _, proc = measured(pef, ws)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"pef-gx build failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        phases = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text()).get("phases", {})
        shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(phases.items()))
        ratios.append(t_pef / t_dbt)
        dbt_times.append(t_dbt)
        pef_times.append(t_pef)
        print(f"  {n:<6}{t_dbt:>10.2f}s{t_pef:>13.2f}s{t_pef / t_dbt:>8.2f}  {shown}")
    median = statistics.median(ratios)
    best = min(pef_times) / min(dbt_times)
    met = median <= TARGET
    print(
        f"  median ratio {median:.2f} (best to best {best:.2f}): target <= {TARGET}: {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
