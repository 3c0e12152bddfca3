"""Which checks catch injected defects, and how many raise false alarms on clean data (issue 12).

On a temporary copy of the sample project (DuckDB): clean seed data (scripts/make_seeds.py --clean, its
dates moved so that the newest order is from yesterday), five recorded runs (one `pef-gx build`, four
`pef-gx checkpoint`) so that the row-count bounds have a history, `pef-gx generate --infer`, and a
baseline `pef-gx build` on which every check passes. The hand-written payments -> orders relationships
test is taken out first: the sample has it, the external project of issue 12 had not, and the sibling
relationship is what inference must find.

Then one defect at a time into the seed data or the model SQL, each `pef-gx build` starting from the
baseline's warehouse (as in production: a model dbt skips keeps its last table; the incremental `sales`
and the snapshot go on from it), and which checks failed or warned that passed on the baseline (GX
checks and dbt tests; one that could not run, e.g. on a dropped column, is listed but not counted; a
skipped or stale one is neither). Then 10 clean rebuilds with other random data of the same shape
(make_seeds.py --seed N --clean), from the same warehouse: any check that fails, warns or errors is a
false alarm. Target: >= 95% of the defects caught by at least one check, 0 false alarms.

Run: python bench/defect_bench.py  (about 10 minutes on 2 cores; not part of the test suite)
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
CLEAN_RUNS = 10
HISTORY_RUNS = 5
SEED_END = date(2024, 12, 31)  # the last order date make_seeds.py writes
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})( \d{2}:\d{2}:\d{2})?$")
PAYMENTS_TO_ORDERS = """          - relationships:
              arguments:
                to: ref('stg_orders')
                field: order_id
"""


# ---------------------------------------------------------------------------------------------------
# workspace


def _pef(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pef_gx", *args], cwd=ws, capture_output=True, text=True, timeout=900
    )


def _workspace(root: Path, shift_days: int) -> Path:
    ws = root / "ws"
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", ".user.yml")
    shutil.copytree(REPO / "dbt_project", ws / "dbt_project", ignore=ignore)
    shutil.copytree(REPO / "gx", ws / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    shutil.copytree(REPO / "suites", ws / "suites")
    shutil.copy2(REPO / "pef-gx.yml", ws / "pef-gx.yml")
    # today's inference belongs to today's data: drop the inferred checks of the committed data (and so
    # their dbt tests, at the next generate); hand-written and dbt-side checks stay
    for path in (ws / "suites").glob("*.json"):
        suite = json.loads(path.read_text())
        suite["expectations"] = [
            e for e in suite["expectations"] if e["meta"]["pef_gx"]["origin"]["type"] != "inferred"
        ]
        path.write_text(json.dumps(suite, indent=2, sort_keys=True) + "\n")
    project = ws / "dbt_project" / "dbt_project.yml"  # the 'as of' date moves with the data
    as_of = (date(2025, 1, 1) + timedelta(days=shift_days)).isoformat()
    text = project.read_text()
    assert 'as_of_date: "2025-01-01"' in text
    project.write_text(text.replace('as_of_date: "2025-01-01"', f'as_of_date: "{as_of}"'))
    staging = ws / "dbt_project" / "models" / "staging" / "_staging.yml"
    head, _, tail = staging.read_text().partition("  - name: stg_payments")
    staging.write_text(head + "  - name: stg_payments" + tail.replace(PAYMENTS_TO_ORDERS, "", 1))
    return ws


def _shift_cell(value: str, days: int) -> str:
    match = _DATE.match(value)
    if not match:
        return value
    if match[2]:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S") + timedelta(days=days)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def _write_seeds(seeds: Path, seed: int, shift_days: int) -> None:
    """Clean data of the sample's shape, every date and timestamp moved by `shift_days`."""
    script = seeds.parent / "scripts" / "make_seeds.py"
    subprocess.run([sys.executable, str(script), str(seeds), "--seed", str(seed), "--clean"], check=True,
                   capture_output=True)  # fmt: skip
    for path in seeds.glob("*.csv"):
        rows = _read(path)
        _write(path, [rows[0]] + [[_shift_cell(v, shift_days) for v in row] for row in rows[1:]])


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


# ---------------------------------------------------------------------------------------------------
# runs and their outcome


def _build(ws: Path, warehouse: Path | None = None) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """`pef-gx build`, on a copy of `warehouse` when given (the tables of the last good run, as in
    production: a model dbt skips keeps yesterday's table, the incremental `sales` and the snapshot go
    on from it): (check -> (status, label)) for GX checks and dbt tests, and the dbt nodes that errored."""
    for path in (ws / "dbt_project").glob("*.duckdb*"):
        path.unlink()
    if warehouse is not None:
        shutil.copy2(warehouse, ws / "dbt_project" / "pef_shop.duckdb")
    before = (
        set((ws / ".pef-gx" / "results").glob("*.json")) if (ws / ".pef-gx" / "results").exists() else set()
    )
    proc = _pef(ws, "build", "-q")
    new = sorted(set((ws / ".pef-gx" / "results").glob("*.json")) - before)
    if not new:
        raise SystemExit(f"pef-gx build wrote no results:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    run = json.loads(new[-1].read_text())
    out: dict[str, tuple[str, str]] = {}
    for c in run["checks"]:
        origin = c.get("origin_type") or ""
        label = f"GX {c['kind']} {c['node_name']}{'.' + ','.join(c['columns']) if c.get('columns') else ''} ({origin})"
        out[f"gx:{c['check_id']}"] = (c["status"], label)
    errors = []
    results = json.loads((ws / "dbt_project" / "target" / "run_results.json").read_text())["results"]
    for r in results:
        uid = r["unique_id"]
        if uid.startswith("test."):
            out[f"dbt:{uid}"] = (r["status"], f"dbt {uid.split('.')[2]}")
        elif r["status"] in ("error", "fail"):
            errors.append(uid)
    return out, errors


_CAUGHT = ("fail", "warn")  # a check or test that did not pass; "error" (could not run) is listed apart


def _caught(
    baseline: dict[str, tuple[str, str]], now: dict[str, tuple[str, str]], statuses: tuple[str, ...] = _CAUGHT
) -> list[str]:
    """The checks and tests with one of `statuses` now that passed on the baseline."""
    return sorted(
        f"{label} [{status}]"
        for key, (status, label) in now.items()
        if status in statuses and baseline.get(key, ("pass", ""))[0] == "pass"
    )


# ---------------------------------------------------------------------------------------------------
# defects: each edits the clean workspace (seeds or model SQL)


def _edit_csv(ws: Path, table: str, change: Callable[[list[str], list[list[str]]], list[list[str]]]) -> None:
    path = ws / "dbt_project" / "seeds" / f"{table}.csv"
    rows = _read(path)
    _write(path, [rows[0], *change(rows[0], rows[1:])])


def _set(table: str, column: str, row: int, value: str) -> Callable[[Path], None]:
    def apply(ws: Path) -> None:
        def change(header: list[str], rows: list[list[str]]) -> list[list[str]]:
            rows[row][header.index(column)] = value
            return rows

        _edit_csv(ws, table, change)

    return apply


def _duplicate_payment(ws: Path) -> None:
    _edit_csv(ws, "raw_payments", lambda h, rows: [*rows, list(rows[10])])


def _sibling_orphan(ws: Path) -> None:
    def change(header: list[str], rows: list[list[str]]) -> list[list[str]]:
        new_id = str(max(int(r[0]) for r in rows) + 1)
        return [*rows, [new_id, "999999", "credit_card", "25.00"]]

    _edit_csv(ws, "raw_payments", change)


def _half_orders(ws: Path) -> None:
    _edit_csv(ws, "raw_orders", lambda h, rows: rows[::2])


def _stale_load(ws: Path) -> None:
    """The last load is 10 days old: every load stamp of raw_orders moved back 10 days."""

    def change(header: list[str], rows: list[list[str]]) -> list[list[str]]:
        i = header.index("_loaded_at")
        for row in rows:
            row[i] = _shift_cell(row[i], -10)
        return rows

    _edit_csv(ws, "raw_orders", change)


def _edit_model(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(ws: Path) -> None:
        sql = ws / "dbt_project" / "models" / path
        text = sql.read_text()
        assert old in text, (path, old)
        sql.write_text(text.replace(old, new))

    return apply


DEFECTS: list[tuple[str, Callable[[Path], None]]] = [
    ("NULL in a key (raw_order_items.order_item_id)", _set("raw_order_items", "order_item_id", 100, "")),
    ("duplicated key (a raw_payments row twice)", _duplicate_payment),
    ("invalid category (raw_products.category)", _set("raw_products", "category", 5, "gadgets")),
    ("negative amount (raw_payments.amount)", _set("raw_payments", "amount", 50, "-25.00")),
    ("absurdly large amount (raw_payments.amount)", _set("raw_payments", "amount", 60, "9999999.00")),
    ("orphan key (raw_order_items.product_id)", _set("raw_order_items", "product_id", 200, "9999")),
    ("orphan between siblings (payment of no order)", _sibling_orphan),
    ("date in the future (raw_orders.order_date)", _set("raw_orders", "order_date", 300, "2099-06-01")),
    ("half the rows gone (raw_orders)", _half_orders),
    ("stale load (raw_orders._loaded_at 10 days old)", _stale_load),
    ("dropped column (sales_daily.items)", _edit_model("marts/sales_daily.sql", "    cast(sum(quantity) as integer) as items,\n", "")),
    ("retyped column (fct_orders.units as text)", _edit_model(
        "marts/fct_orders.sql", "cast(coalesce(order_items.units, 0) as integer) as units",
        "cast(coalesce(order_items.units, 0) as varchar) as units")),
]  # fmt: skip


# ---------------------------------------------------------------------------------------------------


def main() -> int:
    started = time.perf_counter()
    today = datetime.now(timezone.utc).date()
    shift = (today - timedelta(days=1) - SEED_END).days
    with tempfile.TemporaryDirectory(prefix="pef-defect-bench-") as tmp:
        ws = _workspace(Path(tmp), shift)
        seeds = ws / "dbt_project" / "seeds"
        _write_seeds(seeds, 20241231, shift)
        pristine = Path(tmp) / "pristine"
        shutil.copytree(
            ws / "dbt_project", pristine, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*")
        )

        stripped = _pef(ws, "generate", "--parse", "--quiet")
        if stripped.returncode != 0:
            raise SystemExit(f"generate failed: {stripped.stdout[-2000:]} {stripped.stderr[-2000:]}")
        # history: five recorded runs, then inference
        _build(ws)
        for _ in range(HISTORY_RUNS - 1):
            _pef(ws, "checkpoint", "-q", "--no-docs")
        generated = _pef(ws, "generate", "--infer", "--quiet")
        if generated.returncode != 0:
            raise SystemExit(
                f"generate --infer failed: {generated.stdout[-2000:]} {generated.stderr[-2000:]}"
            )
        shutil.rmtree(pristine)
        shutil.copytree(
            ws / "dbt_project", pristine, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*")
        )
        suites = [json.loads(p.read_text()) for p in (ws / "suites").glob("*.json")]
        kinds: dict[str, int] = {}
        for suite in suites:
            for e in suite["expectations"]:
                own = e["meta"]["pef_gx"]
                if own["origin"]["type"] == "inferred":
                    kinds[own["kind"]] = kinds.get(own["kind"], 0) + 1

        baseline, base_errors = _build(ws)
        not_passing = _caught({}, baseline, ("fail", "warn", "error"))
        good = Path(tmp) / "good.duckdb"  # the warehouse after the baseline: every later run starts there
        shutil.copy2(ws / "dbt_project" / "pef_shop.duckdb", good)

        def restore() -> None:
            for sub in ("seeds", "models"):
                shutil.rmtree(ws / "dbt_project" / sub)
                shutil.copytree(pristine / sub, ws / "dbt_project" / sub)

        rows = []
        for name, inject in DEFECTS:
            restore()
            inject(ws)
            outcome, errors = _build(ws, good)
            rows.append((name, _caught(baseline, outcome), _caught(baseline, outcome, ("error",)), errors))
        restore()

        false_alarms = []
        for seed in range(1, CLEAN_RUNS + 1):
            _write_seeds(seeds, seed, shift)
            outcome, errors = _build(ws, good)
            false_alarms.append((seed, _caught(baseline, outcome, ("fail", "warn", "error")), errors))

    caught = sum(1 for _, hits, _, _ in rows if hits)
    alarms = sum(len(hits) for _, hits, _ in false_alarms)
    lines = [
        f"defect bench: sample project on DuckDB, {len(DEFECTS)} injected defects, {CLEAN_RUNS} clean rebuilds",
        "  inferred checks: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        f"  baseline (clean data): {len(baseline)} checks and tests, {len(not_passing)} not passing"
        + (f": {'; '.join(not_passing[:5])}" if not_passing else "")
        + (f"; dbt errors {base_errors}" if base_errors else ""),
        "",
        f"  {'defect':50} {'caught':>6}  by (checks that passed on the baseline and failed or warned)",
    ]
    for name, hits, errored, errors in rows:
        new_kinds = sorted({h for h in hits})
        also = f"; {len(errored)} more could not run (not counted)" if errored else ""
        lines.append(f"  {name:50} {'yes' if hits else 'NO':>6}  {len(hits)} check(s){also}")
        lines += [f"  {'':50} {'':>6}    {h}" for h in new_kinds[:8]]
        if len(new_kinds) > 8:
            lines.append(f"  {'':50} {'':>6}    ... and {len(new_kinds) - 8} more")
        if errors:
            lines.append(f"  {'':50} {'':>6}    dbt node errors: {', '.join(errors)}")
    lines.append("")
    for seed, hits, errors in false_alarms:
        lines.append(f"  clean rebuild, seed {seed:2}: {len(hits)} false alarm(s)" + (f": {'; '.join(hits[:6])}" if hits else "")
                     + (f"; dbt errors {errors}" if errors else ""))  # fmt: skip
    rate = caught / len(DEFECTS)
    lines += [
        "",
        f"  caught: {caught}/{len(DEFECTS)} defects ({rate:.0%}); false alarms: {alarms} over {CLEAN_RUNS} clean "
        f"rebuilds; {time.perf_counter() - started:.0f} s",
        f"  target (>= 95% caught, 0 false alarms): {'met' if rate >= 0.95 and alarms == 0 else 'NOT met'}",
    ]
    print("\n".join(lines))
    OUT.mkdir(exist_ok=True)
    (OUT / "defect_bench.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
