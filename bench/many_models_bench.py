"""Many-models benchmark: a generated dbt project of 300 models (10k-100k rows, 8-12 tests each).

Per engine (DuckDB, PostgreSQL schema `pef_bench_many`; target threads 4 on both), after `dbt run` and
`pef-gx generate` (timed apart: "generation"), each method as its own whole process, PEF_BENCH_ROUNDS
times (default 1: the bench is big), interleaved, the fastest run counts (the machine is shared):
  pef-gx       `pef-gx checkpoint --no-docs` (the compiled engine, default)
  pef-gx (gx)  `pef-gx checkpoint --no-docs --engine gx` (GX runs every expectation)
  GX default   GX's default checkpoint over all suites: a Checkpoint of one ValidationDefinition per
               suite (and per `where:` filter, as a query asset), result format SUMMARY (DuckDB: with
               pef-gx's DuckDB fix, GX fails without it)
  dbt test     `dbt test`, the same tests
The failing checks (fail, warn or error; by dbt test id) of pef-gx, pef-gx (gx) and dbt test must be the
same set, else exit 1. Targets: pef-gx >= 10x faster than GX default and >= 3x faster than dbt test.
The project (bench/many_models.py) and the DuckDB file live under bench/out/ (git-ignored).

Run: python bench/many_models_bench.py [duckdb|postgres ...]   (PEF_BENCH_MODELS=300 to shrink for a try)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from checkpoint_bench import measured  # bench/ is on sys.path when run as a script
from many_models import PG_SCHEMA, write_project

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "many"
BIN = Path(sys.executable).parent
ROUNDS = int(os.environ.get("PEF_BENCH_ROUNDS", "1"))
MODELS = int(os.environ.get("PEF_BENCH_MODELS", "300"))
TARGET_GX, TARGET_DBT = 10.0, 3.0
NOT_PASSING = {"fail", "warn", "error"}

GX_DEFAULT = """
import json, sys
from pathlib import Path
engine, suites_dir, conn, schema = sys.argv[1:5]
import great_expectations as gx
if engine == "duckdb":
    from pef_gx.validation import duckdb_fix
    duckdb_fix.apply()  # GX fails on DuckDB without it
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from pef_gx.checks.sql_template import render_relations
resolve = lambda uid: f"{schema}.{uid.rsplit('.', 1)[1]}"  # model.many.m_001 -> <schema>.m_001
ctx = gx.get_context(mode="ephemeral")
ds = ctx.data_sources.add_sql("bench", connection_string=conn)
definitions = []
for path in sorted(Path(suites_dir).glob("*.json")):
    name, groups = path.stem, {}
    for e in json.loads(path.read_text())["expectations"]:
        meta = e["meta"]["pef_gx"]
        kwargs = dict(e["kwargs"])
        if "unexpected_rows_query" in kwargs:
            kwargs["unexpected_rows_query"] = render_relations(kwargs["unexpected_rows_query"], resolve)
        where = None if meta.get("where_in_query") else meta.get("where")  # a dbt `where:` -> a query asset
        config = ExpectationConfiguration(type=e["type"], kwargs=kwargs, meta={"ref": meta["origin"]["ref"]})
        groups.setdefault(where, []).append(config.to_domain_obj())
    for n, (where, expectations) in enumerate(groups.items()):
        if where is None:
            asset = ds.add_table_asset(name, table_name=name, schema_name=schema)
        else:
            asset = ds.add_query_asset(f"{name}__where{n}", query=f"select * from {schema}.{name} where {where}")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"{name}__{n}", expectations=expectations))
        vd = gx.ValidationDefinition(name=suite.name, data=asset.add_batch_definition_whole_table("all"), suite=suite)
        definitions.append(ctx.validation_definitions.add(vd))
checkpoint = ctx.checkpoints.add(gx.Checkpoint(name="many", validation_definitions=definitions))
result = checkpoint.run()  # the default result format: SUMMARY
checks, failing = 0, []
for run in result.run_results.values():
    for r in run.results:
        checks += 1
        if not r.success:
            failing.append(r.expectation_config.meta["ref"])
print(json.dumps({"checks": checks, "failing": sorted(failing)}))
"""


def relation_count(engine: str, duck: Path) -> int:
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect(str(duck), read_only=True)
        n = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'main'"
        ).fetchone()[0]
        con.close()
        return n
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    cur = con.cursor()
    cur.execute("select count(*) from information_schema.tables where table_schema = %s", (PG_SCHEMA,))
    n = cur.fetchone()[0]
    con.close()
    return n


def postgres_reason() -> str | None:
    try:
        import psycopg2

        psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3
        ).close()
    except Exception as exc:
        return f"PostgreSQL not reachable: {str(exc).strip().splitlines()[0]}"
    return None


def run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def prepare(engine: str) -> tuple[Path, dict]:
    """Write the project, build its models (dbt run) and write the suites (pef-gx generate); timed."""
    ws = OUT / engine
    duck = ws / "many.duckdb"
    start = time.perf_counter()
    ws.mkdir(parents=True, exist_ok=True)
    duck.unlink(missing_ok=True)
    write_project(ws / "many", engine, duck, MODELS)
    (ws / "pef-gx.yml").write_text(
        "dbt_project_dir: many\nprofiles_dir: many\ngx_dir: gx\nsuites_dir: suites\n"
    )
    for stale in (ws / "suites", ws / ".pef-gx", ws / "gx"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    written = time.perf_counter() - start
    if engine == "postgres":
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        con.autocommit = True
        con.cursor().execute(f"drop schema if exists {PG_SCHEMA} cascade")
        con.close()
    dbt_run = run([str(BIN / "dbt"), "run", "--project-dir", "many", "--profiles-dir", "many", "-q"], ws)
    generate = run([str(BIN / "pef-gx"), "generate", "--parse", "-q"], ws)
    manifest = json.loads((ws / "many" / "target" / "manifest.json").read_text())
    tests = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    info = {"write_s": written, "dbt_run_s": dbt_run, "generate_s": generate, "tests": tests,
            "models": relation_count(engine, duck)}  # fmt: skip
    return ws, info


def failing_pef(ws: Path) -> tuple[set[str], int]:
    checks = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())["checks"]
    return {c["origin_ref"] for c in checks if c["status"] in NOT_PASSING}, len(checks)


def failing_dbt(ws: Path) -> tuple[set[str], int]:
    results = json.loads((ws / "many" / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"] for r in results if r["status"] in NOT_PASSING}, len(results)


def bench(engine: str) -> dict:
    ws, info = prepare(engine)
    print(
        f"\n{engine}: {info['models']} tables, {info['tests']} dbt tests; generation "
        f"{info['write_s'] + info['dbt_run_s'] + info['generate_s']:.1f}s (write {info['write_s']:.1f}s, "
        f"dbt run {info['dbt_run_s']:.1f}s, pef-gx generate {info['generate_s']:.1f}s)",
        flush=True,
    )
    conn = (
        f"duckdb:///{ws / 'many.duckdb'}"
        if engine == "duckdb"
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    schema = "main" if engine == "duckdb" else PG_SCHEMA
    best: dict[str, list] = {}
    verdicts: dict[str, set[str]] = {}

    def keep(name: str, seconds: float, peak: float, note: str) -> None:
        old = best.get(name)
        best[name] = [min(seconds, old[0]) if old else seconds, max(peak, old[1]) if old else peak, note]
        print(f"  {name:<14}{seconds:>8.2f}s {peak:>6.0f} MiB  {note}", flush=True)

    def failed(name: str, seconds: float, peak: float, proc: subprocess.CompletedProcess) -> None:
        lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line and "PEAK_KB" not in line]
        verdicts[name] = {f"<{name} failed>"}
        keep(
            name,
            float("inf"),
            peak,
            f"FAILED after {seconds:.1f}s, exit {proc.returncode}: {lines[-1][:300]}",
        )

    pef = [str(BIN / "pef-gx"), "checkpoint", "--no-docs", "-q"]
    for _ in range(ROUNDS):  # interleaved rounds, the fastest of each kept
        for name, extra in (("pef-gx", []), ("pef-gx (gx)", ["--engine", "gx"])):
            t, peak, proc = measured(pef + extra, ws)
            if proc.returncode > 1:  # recorded, not fatal: the other methods still get measured
                failed(name, t, peak, proc)
                continue
            verdicts[name], checks = failing_pef(ws)
            keep(name, t, peak, f"exit {proc.returncode}, {checks} checks, {len(verdicts[name])} not passing")

        t, peak, proc = measured(
            [sys.executable, "-c", GX_DEFAULT, engine, str(ws / "suites"), conn, schema], REPO
        )
        if proc.returncode != 0:
            failed("GX default", t, peak, proc)
        else:
            gx_out = json.loads(proc.stdout.strip().splitlines()[-1])
            verdicts["GX default"] = set(gx_out["failing"])
            keep("GX default", t, peak, f"{gx_out['checks']} checks, {len(gx_out['failing'])} not passing")

        t, peak, proc = measured(
            [str(BIN / "dbt"), "test", "--project-dir", "many", "--profiles-dir", "many", "-q"], ws
        )
        verdicts["dbt test"], checks = failing_dbt(ws)
        keep(
            "dbt test",
            t,
            peak,
            f"exit {proc.returncode}, {checks} tests, {len(verdicts['dbt test'])} not passing",
        )
    return {"info": info, "best": best, "verdicts": verdicts}


def report(engine: str, outcome: dict) -> bool:
    """Print the engine's table; True when the verdicts agree and both targets are met."""
    best, verdicts = outcome["best"], outcome["verdicts"]
    pef = best["pef-gx"][0]
    print(f"\n{engine}: {outcome['info']['models']} models, {outcome['info']['tests']} tests, "
          f"fastest of {ROUNDS} round(s), whole processes")  # fmt: skip
    print(f"  {'method':<14}{'seconds':>9}{'x pef-gx':>10}{'peak MiB':>10}  note")
    for name, (seconds, mib, note) in best.items():
        print(f"  {name:<14}{seconds:>9.2f}{seconds / pef:>10.2f}{mib:>10.0f}  {note}")
    agree = verdicts["pef-gx"] == verdicts["pef-gx (gx)"] == verdicts["dbt test"]
    if agree:
        print(
            f"  verdicts agree: pef-gx, pef-gx (gx) and dbt test fail the same {len(verdicts['dbt test'])} tests"
        )
    else:
        for name in ("pef-gx", "pef-gx (gx)"):
            extra, missing = verdicts[name] - verdicts["dbt test"], verdicts["dbt test"] - verdicts[name]
            print(
                f"  VERDICTS DIFFER: {name} also fails {sorted(extra)}; passes what dbt fails: {sorted(missing)}"
            )
    gx_note = "same set" if verdicts["GX default"] == verdicts["dbt test"] else "a different set (not gated)"
    print(f"  GX default fails {len(verdicts['GX default'])} checks: {gx_note}")
    gx_ratio, dbt_ratio = best["GX default"][0] / pef, best["dbt test"][0] / pef
    met_gx, met_dbt = gx_ratio >= TARGET_GX, dbt_ratio >= TARGET_DBT
    print(f"  GX default / pef-gx = {gx_ratio:.1f}x (target >= {TARGET_GX:.0f}x: {'met' if met_gx else 'MISSED'}); "
          f"dbt test / pef-gx = {dbt_ratio:.1f}x (target >= {TARGET_DBT:.0f}x: {'met' if met_dbt else 'MISSED'})")  # fmt: skip
    return agree


def main(engines: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; {MODELS} models; each method a whole process incl. start-up")
    outcomes = {}
    for engine in engines:
        if engine == "postgres" and (reason := postgres_reason()):
            print(f"postgres: skipped ({reason})")
            continue
        outcomes[engine] = bench(engine)
    agree = [report(engine, outcome) for engine, outcome in outcomes.items()]
    return 0 if all(agree) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["duckdb", "postgres"]))
