"""Checkpoint benchmark: TPC-H SF1 `lineitem` (6,001,215 rows) on DuckDB and PostgreSQL, 15 checks, one run.

For each engine, one after the other, each as its own process (cold start included, as a user sees it):
  pef-gx      `pef-gx checkpoint --no-docs` on the suite `pef-gx generate` wrote from the dbt tests
  gx-default  GX with its default checkpoint settings (a Checkpoint over a ValidationDefinition, result
              format SUMMARY) on the same suite (DuckDB: with pef-gx's DuckDB fix, GX fails without it)
  dbt-test    `dbt test` with the equivalent dbt tests
  floor       one hand-written aggregate statement computing the same 15 verdicts (lag() for uniqueness)
Each method runs PEF_BENCH_ROUNDS times (default 2), interleaved; the fastest run counts (the machine
is shared). Prints seconds, the ratio to the floor and each process's peak memory (max RSS). All data lives under
bench/out/ (git-ignored): the TPC-H DuckDB file (made offline with the duckdb-extension-tpch package), a
CSV export COPY'd into PostgreSQL schema `pef_bench` (kept between runs), a small dbt project.

Run: python bench/checkpoint_bench.py [duckdb|postgres ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
BIN = Path(sys.executable).parent
SCALES = {
    1: ("tpch_sf1.duckdb", "pef_bench", 6_001_215),
    0.1: ("tpch_sf01.duckdb", "pef_bench_sf01", 600_572),
}
DUCK = OUT / SCALES[1][0]
PG_SCHEMA = SCALES[1][1]
LINEITEM_ROWS = SCALES[1][2]
ROUNDS = int(os.environ.get("PEF_BENCH_ROUNDS", "2"))
# DuckDB runs inside pef-gx's process: its sorts and hash tables grow with the rows unless the profile
# bounds them (dbt-duckdb's `settings:`, which pef-gx applies too); then DuckDB spills to disk
BOUNDED = "32MB"
BOUNDED_RUN = ["checkpoint", "--no-docs", "-q", "--target", "duckdb_bounded"]

SOURCES_YML = """
version: 2
sources:
  - name: tpch
    schema: "{{ 'pef_bench' if target.type == 'postgres' else 'main' }}"
    tables:
      - name: orders
        columns:
          - name: o_orderkey
      - name: lineitem
models:
  - name: stg_lineitem
    description: TPC-H lineitem as a view (a model, as in a real project; the checks run on it)
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [l_orderkey, l_linenumber]
      - expression_is_true:
          arguments:
            expression: "l_shipdate <= l_receiptdate"
    columns:
      - name: l_orderkey
        data_tests:
          - not_null
          - relationships:
              arguments:
                to: source('tpch', 'orders')
                field: o_orderkey
      - name: l_partkey
        data_tests: [not_null]
      - name: l_suppkey
        data_tests: [not_null]
      - name: l_linenumber
        data_tests: [not_null]
      - name: l_quantity
        data_tests:
          - accepted_range:
              arguments: {min_value: 1, max_value: 50}
      - name: l_discount
        data_tests:
          - accepted_range:
              arguments: {min_value: 0, max_value: 0.1}
      - name: l_tax
        data_tests:
          - accepted_range:
              arguments: {min_value: 0, max_value: 0.08}
      - name: l_extendedprice
        data_tests:
          - accepted_range:
              arguments: {min_value: 0}
      - name: l_returnflag
        data_tests:
          - accepted_values:
              arguments: {values: ["A", "N", "R"]}
      - name: l_linestatus
        data_tests:
          - accepted_values:
              arguments: {values: ["O", "F"]}
      - name: l_shipmode
        data_tests:
          - accepted_values:
              arguments: {values: ["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"]}
      - name: l_shipdate
        data_tests: [not_null]
"""

FLOOR_SQL = """
select
  count(*) filter (where l_orderkey is null) as nn_orderkey,
  count(*) filter (where l_partkey is null) as nn_partkey,
  count(*) filter (where l_suppkey is null) as nn_suppkey,
  count(*) filter (where l_linenumber is null) as nn_linenumber,
  count(*) filter (where l_shipdate is null) as nn_shipdate,
  count(*) filter (where l_quantity < 1 or l_quantity > 50) as range_quantity,
  count(*) filter (where l_discount < 0 or l_discount > 0.1) as range_discount,
  count(*) filter (where l_tax < 0 or l_tax > 0.08) as range_tax,
  count(*) filter (where l_extendedprice < 0) as range_price,
  count(*) filter (where l_returnflag not in ('A', 'N', 'R')) as set_returnflag,
  count(*) filter (where l_linestatus not in ('O', 'F')) as set_linestatus,
  count(*) filter (where l_shipmode not in ('AIR', 'FOB', 'MAIL', 'RAIL', 'REG AIR', 'SHIP', 'TRUCK')) as set_shipmode,
  count(*) filter (where l_orderkey = prev_orderkey and l_linenumber = prev_linenumber) as dup_key,
  count(*) filter (where not (l_shipdate <= l_receiptdate)) as ship_before_receipt,
  count(*) filter (where l_orderkey is not null and o_orderkey is null) as orphan_orders
from (
  select l.*, o.o_orderkey,
         lag(l.l_orderkey) over w as prev_orderkey, lag(l.l_linenumber) over w as prev_linenumber
  from {schema}.lineitem l left join {schema}.orders o on o.o_orderkey = l.l_orderkey
  window w as (order by l.l_orderkey, l.l_linenumber)
) x
"""

GX_DEFAULT = """
import json, sys
from pathlib import Path
engine, suite_file, conn, schema = sys.argv[1:5]
import great_expectations as gx
if engine == "duckdb":
    from pef_gx.validation import duckdb_fix
    duckdb_fix.apply()  # GX fails on DuckDB without it
from pef_gx.checks.sql_template import render_relations
ctx = gx.get_context(mode="ephemeral")
ds = ctx.data_sources.add_sql("bench", connection_string=conn)
asset = ds.add_table_asset("stg_lineitem", table_name="stg_lineitem", schema_name=schema)
bd = asset.add_batch_definition_whole_table("all")
data = json.loads(Path(suite_file).read_text())
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
exps = []
for e in data["expectations"]:
    kwargs = dict(e["kwargs"])
    if "unexpected_rows_query" in kwargs:
        kwargs["unexpected_rows_query"] = render_relations(kwargs["unexpected_rows_query"], lambda uid: f"{schema}.{uid.rsplit('.', 1)[1]}")  # source.tpch_bench.tpch.orders -> orders
    exps.append(ExpectationConfiguration(type=e["type"], kwargs=kwargs).to_domain_obj())
suite = ctx.suites.add(gx.ExpectationSuite(name="lineitem_bench", expectations=exps))
vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="vd", data=bd, suite=suite))
cp = ctx.checkpoints.add(gx.Checkpoint(name="cp", validation_definitions=[vd]))
result = cp.run()
ok = [r.success for v in result.run_results.values() for r in v.results]
print(json.dumps({"checks": len(ok), "passed": sum(ok)}))
"""

FLOOR = """
import json, sys, time
engine, target, sql = sys.argv[1:4]
if engine == "duckdb":
    import duckdb
    con = duckdb.connect(target, read_only=True)
else:
    import psycopg2
    con = psycopg2.connect(target)
t = time.perf_counter()
cur = con.cursor()
cur.execute(sql)
row = cur.fetchone()
print(json.dumps({"query_s": time.perf_counter() - t, "violations": list(row)}))
"""


def measured(
    args: list[str], cwd: Path, env: dict | None = None
) -> tuple[float, float, subprocess.CompletedProcess]:
    """(seconds, peak RSS MiB of the process tree's largest process, result) of one subprocess run."""
    wrapper = (
        "import resource, subprocess, sys, json; r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
        "sys.exit(r.returncode)"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], cwd=cwd, env={**os.environ, **(env or {})},
        capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    peak = next((int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_KB")), 0)
    return elapsed, peak / 1024, proc


def use_scale(sf: float) -> None:
    """Point the bench at TPC-H scale factor `sf` (its own DuckDB file and PostgreSQL schema)."""
    global DUCK, PG_SCHEMA, LINEITEM_ROWS, SF
    name, PG_SCHEMA, LINEITEM_ROWS = SCALES[sf]
    DUCK, SF = OUT / name, sf


SF: float = 1


def make_duckdb() -> None:
    import duckdb

    if DUCK.exists():
        con = duckdb.connect(str(DUCK), read_only=True)
        if con.execute("select count(*) from lineitem").fetchone()[0] == LINEITEM_ROWS:
            con.close()
            return
        con.close()
        DUCK.unlink()
    import duckdb_extension_tpch

    ext = next(Path(duckdb_extension_tpch.__file__).parent.rglob("tpch.duckdb_extension"))
    print(f"making TPC-H SF{SF:g} in {DUCK} ...", flush=True)
    con = duckdb.connect(str(DUCK))
    con.execute(f"LOAD '{ext}'")
    con.execute(f"CALL dbgen(sf={SF})")
    for table in ("customer", "nation", "part", "partsupp", "region", "supplier"):
        con.execute(f"drop table {table}")
    con.close()


def make_postgres() -> str | None:
    try:
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3
        )
    except Exception as exc:
        return f"PostgreSQL not reachable: {str(exc).strip().splitlines()[0]}"
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(
        "select count(*) from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'",
        (PG_SCHEMA,),
    )
    if cur.fetchone()[0] == 2:
        cur.execute(f"select count(*) from {PG_SCHEMA}.lineitem")
        if cur.fetchone()[0] == LINEITEM_ROWS:
            conn.close()
            return None
    import duckdb

    print(f"loading lineitem and orders into PostgreSQL schema {PG_SCHEMA} (COPY from CSV) ...", flush=True)
    duck = duckdb.connect(str(DUCK), read_only=True)
    cur.execute(f"drop schema if exists {PG_SCHEMA} cascade; create schema {PG_SCHEMA}")
    for table in ("orders", "lineitem"):
        columns = duck.execute(
            "select column_name, data_type from information_schema.columns where table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        ddl = ", ".join(f"{name} {kind.replace('DOUBLE', 'double precision')}" for name, kind in columns)
        cur.execute(f"create table {PG_SCHEMA}.{table} ({ddl})")
        csv = OUT / f"{table}.csv"
        duck.execute(f"COPY {table} TO '{csv}' (HEADER false)")
        with csv.open() as handle:
            cur.copy_expert(f"COPY {PG_SCHEMA}.{table} FROM STDIN WITH (FORMAT csv)", handle)
        csv.unlink()
    cur.execute(f"alter table {PG_SCHEMA}.orders add primary key (o_orderkey)")
    cur.execute(f"analyze {PG_SCHEMA}.lineitem; analyze {PG_SCHEMA}.orders")
    duck.close()
    conn.close()
    return None


def make_workspace(engine: str) -> Path:
    ws = OUT / f"ws-{engine}-sf{SF:g}"
    if ws.exists():
        shutil.rmtree(ws)
    project = ws / "tpch"
    (project / "models").mkdir(parents=True)
    shutil.copytree(REPO / "dbt_project" / "macros", project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: tpch_bench\nversion: '1.0.0'\nconfig-version: 2\nprofile: tpch_bench\nmodel-paths: [models]\n"
        "macro-paths: [macros]\nflags:\n  send_anonymous_usage_stats: false\n"
    )
    (project / "profiles.yml").write_text(
        textwrap.dedent(
            f"""
            tpch_bench:
              target: {engine}
              outputs:
                duckdb: {{type: duckdb, path: "{DUCK}", schema: main, threads: 2}}
                duckdb_bounded: {{type: duckdb, path: "{DUCK}", schema: main, threads: 2,
                                  settings: {{memory_limit: {BOUNDED}, temp_directory: "{OUT / "spill"}"}}}}
                postgres: {{type: postgres, host: 127.0.0.1, port: 5432, user: postgres, password: "",
                            dbname: postgres, schema: {PG_SCHEMA}, threads: 2}}
            """
        )
    )
    (project / "models" / "sources.yml").write_text(SOURCES_YML.replace("'pef_bench'", f"'{PG_SCHEMA}'"))
    (project / "models" / "stg_lineitem.sql").write_text(
        "{{ config(materialized='view') }}\nselect * from {{ source('tpch', 'lineitem') }}\n"
    )
    run = subprocess.run(
        [str(BIN / "dbt"), "run", "--project-dir", "tpch", "--profiles-dir", "tpch", "-q"],
        cwd=ws,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"dbt run failed: {run.stdout}{run.stderr}")
    (ws / "pef-gx.yml").write_text(
        "dbt_project_dir: tpch\nprofiles_dir: tpch\ngx_dir: gx\nsuites_dir: suites\n"
    )
    gen = subprocess.run(
        [str(BIN / "pef-gx"), "generate", "--parse", "-q"], cwd=ws, capture_output=True, text=True
    )
    if gen.returncode != 0:
        raise SystemExit(f"pef-gx generate failed: {gen.stdout}{gen.stderr}")
    return ws


def bench(engine: str) -> list[tuple[str, float, float, str]]:
    ws = make_workspace(engine)
    suite = ws / "suites" / "stg_lineitem.json"
    checks = len(json.loads(suite.read_text())["expectations"])
    schema = "main" if engine == "duckdb" else PG_SCHEMA
    conn = (
        f"duckdb:///{DUCK}"
        if engine == "duckdb"
        else "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    target = str(DUCK) if engine == "duckdb" else "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    best: dict[str, tuple[float, float, str]] = {}

    def keep(name: str, seconds: float, peak: float, note: str) -> None:
        old = best.get(name)
        best[name] = (min(seconds, old[0]) if old else seconds, max(peak, old[1]) if old else peak, note)

    for _ in range(ROUNDS):  # interleaved rounds, the fastest of each kept: the machine is shared
        for name, extra in (("pef-gx checkpoint", []), ("pef-gx --engine gx", ["--engine", "gx"])):
            t, peak, proc = measured([str(BIN / "pef-gx"), "checkpoint", "--no-docs", "-q", *extra], ws)
            results = ws / ".pef-gx" / "results" / "latest.json"
            run = json.loads(results.read_text()) if proc.returncode < 2 else {}
            statuses = [c["status"] for c in run.get("checks", [])]
            engines = sorted({str(c.get("engine")) for c in run.get("checks", [])})
            phase = (run.get("phases") or {}).get("validation")
            keep(
                name,
                t,
                peak,
                f"exit {proc.returncode}, {statuses.count('pass')}/{len(statuses)} pass, "
                f"engine {'+'.join(engines)}, validation phase {phase}s",
            )
            if name == "pef-gx checkpoint" and phase is not None:
                keep("pef-gx validation phase", phase, peak, "first query to last verdict (results file)")
        if engine == "duckdb":
            t, peak, proc = measured([str(BIN / "pef-gx"), *BOUNDED_RUN], ws)
            keep(f"pef-gx, memory_limit {BOUNDED}", t, peak, f"exit {proc.returncode}, profile settings")

        t, peak, proc = measured([sys.executable, "-c", GX_DEFAULT, engine, str(suite), conn, schema], REPO)
        info = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 else proc.stderr.strip()[-200:]
        keep("GX default checkpoint", t, peak, info)

        t, peak, proc = measured(
            [str(BIN / "dbt"), "test", "--project-dir", "tpch", "--profiles-dir", "tpch", "-q"], ws
        )
        keep("dbt test", t, peak, f"exit {proc.returncode}")

        t, peak, proc = measured(
            [sys.executable, "-c", FLOOR, engine, target, FLOOR_SQL.format(schema=schema)], REPO
        )
        floor = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"query_s": t}
        keep("floor: one aggregate query", floor["query_s"], peak, f"violations {floor.get('violations')}")
    rows = [(name, *values) for name, values in best.items()]
    floor_s = best["floor: one aggregate query"][0]
    print(f"\n{engine}: TPC-H SF{SF:g} lineitem, {LINEITEM_ROWS:,} rows, {checks} checks")
    print(f"  {'method':<28}{'seconds':>9}{'x floor':>9}{'peak MiB':>10}  note")
    for name, seconds, mib, note in rows:
        print(f"  {name:<28}{seconds:>9.2f}{seconds / floor_s:>9.2f}{mib:>10.0f}  {note}")
    return rows


def main(engines: list[str]) -> int:
    """SF1 on each engine (the targets), then SF0.1 for memory: pef-gx's peak must stay flat."""
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; floor = the query alone, others = whole process incl. start-up")
    results: dict[tuple[str, float], dict[str, tuple[float, float, str]]] = {}
    for sf in (1, 0.1):
        use_scale(sf)
        make_duckdb()
        for engine in engines:
            if engine == "postgres":
                reason = make_postgres()
                if reason:
                    print(f"postgres: skipped ({reason})")
                    continue
            rows = bench(engine) if sf == 1 else bench_memory(engine)
            results[(engine, sf)] = {name: (sec, mib, note) for name, sec, mib, note in rows}
    status = 0
    print("\ntargets (issue 11), ratios from this run:")
    for engine in engines:
        big, small = results.get((engine, 1)), results.get((engine, 0.1))
        if not big:
            continue
        pef, dbt_test = big["pef-gx checkpoint"][0], big["dbt test"][0]
        gx_default, floor = big["GX default checkpoint"][0], big["floor: one aggregate query"][0]
        phase = big.get("pef-gx validation phase", (float("inf"),))[0]
        checks = [
            (f"validation phase {phase:.2f}s = {phase / floor:.2f}x the floor (<= 1.3)", phase <= 1.3 * floor),
            (f"pef-gx checkpoint {pef:.2f}s vs dbt test {dbt_test:.2f}s ({dbt_test / pef:.2f}x)", pef < dbt_test),
            (f"pef-gx checkpoint vs GX's default checkpoint {gx_default:.2f}s ({gx_default / pef:.2f}x)", pef < gx_default),
        ]  # fmt: skip
        for name in (
            n for n in ("pef-gx checkpoint", f"pef-gx, memory_limit {BOUNDED}") if small and n in small
        ):
            ratio = big[name][1] / max(small[name][1], 1)
            checks.append((f"{name}: peak memory SF1 / SF0.1 = {ratio:.2f} (<= 1.2)", ratio <= 1.2))
        for text, met in checks:
            print(f"  {engine}: {text}: {'met' if met else 'NOT met'}")
            status |= 0 if met else 1
    return status


def bench_memory(engine: str) -> list[tuple[str, float, float, str]]:
    """pef-gx alone at the small scale: its peak memory, to compare with SF1."""
    ws = make_workspace(engine)
    rows = []
    runs = [("pef-gx checkpoint", ["checkpoint", "--no-docs", "-q"])]
    if engine == "duckdb":
        runs.append((f"pef-gx, memory_limit {BOUNDED}", BOUNDED_RUN))
    for name, args in runs:
        best = None
        for _ in range(ROUNDS):
            t, peak, _proc = measured([str(BIN / "pef-gx"), *args], ws)
            best = (t, peak) if best is None else (min(t, best[0]), max(peak, best[1]))
        assert best is not None
        print(f"\n{engine}: TPC-H SF{SF:g} lineitem, {LINEITEM_ROWS:,} rows: {name} "
              f"{best[0]:.2f}s, peak {best[1]:.0f} MiB")  # fmt: skip
        rows.append((name, best[0], best[1], "memory reference"))
    return rows


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["duckdb", "postgres"]))
