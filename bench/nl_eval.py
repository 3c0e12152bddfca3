"""Measure `pef-gx ask` on requests with reference answers: right / refused / wrong.

    .venv/bin/python bench/nl_eval.py [--only shop|billing] [-k substring] [--json bench/out/nl_eval.json]

Two projects: the sample (dbt_project/, "shop") and bench/nl_billing ("billing": other names, partly
documented YAML). Each is built once (dbt seed/run, or pef-gx init + dbt build), then every request runs
`pef-gx ask` on a fresh copy of it. A model request is right when the new model's rows equal the
reference SQL's rows (as a multiset, numbers to 6 decimals); a test request is right when the checks it
asks for are the expected ones; a request that must be refused is right on exit 2. Anything else a
request wrote and got wrong is "wrong"; exit 2 on an answerable request is "refused".
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from nl_cases import CASES  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
ENV.pop("PEF_GX_DEBUG", None)


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def _dbt(project: Path, *args: str) -> None:
    proc = _run([str(BIN / "dbt"), *args, "--profiles-dir", ".", "--project-dir", "."], project)
    if proc.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed in {project}:\n{proc.stdout[-2000:]}")


def prepare(which: str, root: Path) -> Path:
    ws = root / which
    if which == "shop":
        ws.mkdir(parents=True)
        shutil.copytree(REPO / "dbt_project", ws / "dbt_project",
                        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*", "dbt_packages"))  # fmt: skip
        shutil.copy2(REPO / "pef-gx.yml", ws / "pef-gx.yml")
        for folder in ("gx", "suites"):
            shutil.copytree(REPO / folder, ws / folder, ignore=shutil.ignore_patterns("uncommitted"))
        _dbt(ws / "dbt_project", "seed")
        _dbt(ws / "dbt_project", "run")
    else:
        shutil.copytree(REPO / "bench" / "nl_billing", ws,
                        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))  # fmt: skip
        proc = _run([str(BIN / "pef-gx"), "init"], ws)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        _dbt(ws / "dbt_project", "build")
    return ws


def _norm(value: object) -> object:
    if isinstance(value, (float, decimal.Decimal)):
        return round(float(value), 6)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return round(float(value), 6)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _rows(db: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return sorted((tuple(_norm(v) for v in row) for row in rows), key=repr)


def judge(kind: str, expected: object, proc: subprocess.CompletedProcess[str], ws: Path) -> tuple[str, str]:
    out = proc.stdout
    if kind == "refuse":
        if proc.returncode == 2:
            return "right", proc.stderr.strip()[:160]
        return "wrong", f"answered (exit {proc.returncode}) what should be refused"
    if proc.returncode == 2:
        return "refused", proc.stderr.strip()[:200]
    if proc.returncode not in (0, 1):
        return "wrong", f"exit {proc.returncode}: {proc.stderr.strip()[:200]}"
    if kind == "test":
        asked = [m.group(1) for m in re.finditer(r"^\s+asked: (.+?) -> dbt test", out, re.M)]
        want = list(expected)  # type: ignore[arg-type]
        ok = len(asked) == len(want) and all(any(a.startswith(w) for a in asked) for w in want)
        return ("right" if ok else "wrong"), "; ".join(asked)[:200]
    found = re.search(r"dbt build: model (\w+)", out)
    if not found:
        return "wrong", "no model built: " + out[-200:]
    name = found.group(1)
    db = next((ws / "dbt_project").glob("*.duckdb"))
    got = _rows(db, f"select * from main.{name}")
    try:
        want = _rows(db, str(expected))  # the models are in DuckDB's default schema (main)
    except Exception as exc:  # a broken reference is the bench's fault: said, not counted as right
        return "wrong", f"reference SQL failed: {str(exc).splitlines()[0]}"
    if got == want:
        return "right", f"{name}: {len(got)} rows equal"
    width = len(want[0]) if want else 0
    if got and want and len(got[0]) > width:  # extra columns (e.g. an order count next to revenue)
        for cols in itertools.permutations(range(len(got[0])), width):
            if sorted((tuple(r[c] for c in cols) for r in got), key=repr) == want:
                return "right", f"{name}: {len(got)} rows equal on columns {cols} (plus others)"
    return (
        "wrong",
        f"{name}: {len(got)} rows vs {len(want)} reference rows; first got {got[:2]} want {want[:2]}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("shop", "billing"))
    parser.add_argument("-k", default="", help="only requests containing this text")
    parser.add_argument("--start", type=int, default=0, help="only the cases from this index on")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cases = [c for c in CASES[args.start :] if (not args.only or c[0] == args.only) and args.k in c[2]]
    root = Path(tempfile.mkdtemp(prefix="nl_eval_"))
    built = {p: prepare(p, root / "built") for p in sorted({c[0] for c in cases})}
    results = []
    started = time.monotonic()
    for i, (project, kind, request, expected) in enumerate(cases):
        ws = root / f"case{i}"
        shutil.copytree(built[project], ws, ignore=shutil.ignore_patterns("logs", "*.duckdb.wal"))
        proc = _run([str(BIN / "pef-gx"), "ask", request], ws)
        verdict, detail = judge(
            {"model": "model", "test": "test", "refuse": "refuse"}[kind], expected, proc, ws
        )
        results.append(
            {"project": project, "kind": kind, "request": request, "verdict": verdict, "detail": detail}
        )
        print(f"{verdict:8} {project:8} {kind:6} {request}  [{detail}]", flush=True)
        shutil.rmtree(ws, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    total = len(results)
    counts = {v: sum(r["verdict"] == v for r in results) for v in ("right", "refused", "wrong")}
    print(f"\n{total} requests in {time.monotonic() - started:.0f}s: "
          f"right {counts['right']} ({100 * counts['right'] / max(total, 1):.0f}%), "
          f"refused {counts['refused']}, wrong {counts['wrong']}")  # fmt: skip
    for kind in ("test", "model", "refuse"):
        sub = [r for r in results if r["kind"] == kind]
        if sub:
            print(f"  {kind:6}: {len(sub)} requests, right {sum(r['verdict'] == 'right' for r in sub)}, "
                  f"refused {sum(r['verdict'] == 'refused' for r in sub)}, wrong {sum(r['verdict'] == 'wrong' for r in sub)}")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"counts": counts, "results": results}, indent=1))
    return 1 if counts["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
