"""Data Docs against a long history: a run's Data Docs must cost the same whatever the runs before it.

The sample project on DuckDB in a private copy (bench/out/docs_history/): `pef-gx build` once, then
`pef-gx checkpoint` with the history it has (one run), then again after PEF_BENCH_HISTORY (default 300)
earlier runs of every suite were added to GX's validation results store and to the site (copies of the
first run's results and pages under other run names, as a long-lived project accumulates them). Prints
the Data Docs phase of each checkpoint (the results file's `phases`) and the whole process, for
PEF_BENCH_ROUNDS rounds (default 2), the fastest counting. Target: the Data Docs phase with the long
history within 1.5x of the one with none (before pef-gx rendered only a run's own pages, GX's section
builders and index read every stored result: 8.4 s against 1.0 s on the 2-core machine).

Run: python bench/docs_history_bench.py
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from build_bench import workspace  # bench/ is on sys.path when run as a script
from checkpoint_bench import BIN, OUT, measured

HISTORY = int(os.environ.get("PEF_BENCH_HISTORY", "300"))
ROUNDS = int(os.environ.get("PEF_BENCH_ROUNDS", "2"))
TARGET = 1.5


def add_history(ws: Path, runs: int) -> int:
    """Copy each suite's first stored run (results and pages) to `runs` older run names; returns how
    many stored results the store then holds."""
    uncommitted = ws / "gx" / "uncommitted"
    for root in (uncommitted / "validations", uncommitted / "data_docs" / "local_site" / "validations"):
        for suite in (p for p in root.iterdir() if p.is_dir()):
            first = min(p for p in suite.iterdir() if p.is_dir())
            for i in range(runs):
                copy = suite / f"20250101T{i:06d}Z-old"
                if not copy.exists():
                    shutil.copytree(first, copy)
    return sum(1 for _ in (uncommitted / "validations").rglob("*.json"))


def checkpoint(ws: Path) -> tuple[float, float]:
    """(Data Docs phase, whole process) of the fastest of ROUNDS checkpoints, in seconds."""
    best = (float("inf"), float("inf"))
    for _ in range(ROUNDS):
        seconds, _peak, proc = measured([str(BIN / "pef-gx"), "checkpoint", "-q"], ws)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"pef-gx checkpoint failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        phases = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())["phases"]
        best = min(best, (phases["data_docs"], seconds))
    return best


def main() -> int:
    ws = workspace()
    target = OUT / "docs_history"
    shutil.rmtree(target, ignore_errors=True)
    ws = Path(shutil.move(str(ws), str(target)))
    _seconds, _peak, proc = measured([str(BIN / "pef-gx"), "build", "-q"], ws)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pef-gx build failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    stored = sum(1 for _ in (ws / "gx" / "uncommitted" / "validations").rglob("*.json"))
    fresh = checkpoint(ws)
    stored_long = add_history(ws, HISTORY)
    long = checkpoint(ws)
    print(
        f"sample project on DuckDB, Data Docs of `pef-gx checkpoint`, fastest of {ROUNDS} (machine: {os.cpu_count()} cores)"
    )
    print(f"  {'stored results':<22}{'Data Docs phase':>17}{'whole process':>15}")
    print(f"  {stored:<22}{fresh[0]:>16.2f}s{fresh[1]:>14.2f}s")
    print(f"  {stored_long:<22}{long[0]:>16.2f}s{long[1]:>14.2f}s")
    ratio = long[0] / fresh[0]
    met = ratio <= TARGET
    print(
        f"  Data Docs with {HISTORY} runs of history / with none: {ratio:.2f} (<= {TARGET}): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
