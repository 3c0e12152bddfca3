"""Spark benchmark: TPC-H `lineitem` at SF0.1, SF1 and SF3 on Spark local[2], the 15 checks of
bench/checkpoint_bench.py, one run each, every method as its own process (JVM start included):

  pef-gx      `pef-gx checkpoint --no-docs --target spark` (the compiled engine on Spark SQL; see HOOK)
  gx-default  GX's default checkpoint with its Spark data source, on a SparkSession this script builds
              (GX's add_spark(spark_config=...) restarts the session and drops JVM options)
  dbt-test    `dbt test` on Spark (dbt-spark, method session)
  floor       one hand-written Spark SQL aggregate computing the 15 verdicts
Prints seconds, the ratio to the floor and the peak memory of the largest process of each run (the
driver JVM: in local mode driver and executors share it), sampled from /proc.

Data: DuckDB's tpch extension (duckdb-extension-tpch, offline) makes lineitem and orders, written as
Parquet under bench/out/spark/sf<N>/ and registered as external Spark tables in schema `tpch` of a
metastore per scale factor. Everything lives under bench/out/ (git-ignored) and is kept between runs.

After the last scale factor, pef-gx's growth: its validation phase (first query to last verdict, from
the results file) and whole process per million rows at each scale, against the floor's, and the driver's
peak memory relative to the smallest scale.

Run: python bench/spark_bench.py [0.1 1 3]      (default: 0.1 1; SF3 takes minutes per method)
     PEF_SPARK_METHODS=pef-gx,floor,dbt-test,gx-default  (the default: all, in this order)
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkpoint_bench import FLOOR_SQL, SOURCES_YML  # the same 15 checks

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "spark"
BIN = Path(sys.executable).parent
SCHEMA = "tpch"
METHODS = os.environ.get("PEF_SPARK_METHODS", "pef-gx,floor,dbt-test,gx-default").split(",")

SPARK_CONF = """
import os, sys
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
from pyspark.sql import SparkSession

def session(ws):
    b = SparkSession.builder.master("local[2]").enableHiveSupport().appName("bench")
    for k, v in {
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": f"{ws}/spark/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={ws}/spark/metastore_db;create=true",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
    }.items():
        b = b.config(k, v)
    s = b.getOrCreate()
    s.sparkContext.setLogLevel("ERROR")
    return s
"""

REGISTER = (
    SPARK_CONF
    + """
ws, data = sys.argv[1:3]
s = session(ws)
s.sql("create database if not exists tpch")
for t in ("lineitem", "orders"):
    s.sql(f"drop table if exists tpch.{t}")
    s.sql(f"create table tpch.{t} using parquet location '{data}/{t}'")
print(s.sql("select count(*) from tpch.lineitem").collect()[0][0])
"""
)

FLOOR = (
    SPARK_CONF
    + """
import json, time
ws, sql = sys.argv[1:3]
s = session(ws)
t = time.perf_counter()
row = s.sql(sql).collect()[0]
print(json.dumps({"query_s": time.perf_counter() - t, "violations": list(row)}))
"""
)

GX_DEFAULT = (
    SPARK_CONF
    + """
import itertools
import json
from pathlib import Path
ws, suite_file = sys.argv[1:3]
spark = session(ws)  # built here: GX's add_spark(spark_config=...) would restart it without the settings
import great_expectations as gx
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from pef_gx.checks.sql_template import render_relations
ctx = gx.get_context(mode="ephemeral")
ds = ctx.data_sources.add_spark("bench")  # no spark_config: GX reuses the active session
asset = ds.add_dataframe_asset("stg_lineitem")
bd = asset.add_batch_definition_whole_dataframe("all")
exps = []
for e in json.loads(Path(suite_file).read_text())["expectations"]:
    kwargs = dict(e["kwargs"])
    if "unexpected_rows_query" in kwargs:
        kwargs["unexpected_rows_query"] = render_relations(
            kwargs["unexpected_rows_query"], lambda uid: "tpch." + uid.rsplit(".", 1)[1]
        )
    exps.append(ExpectationConfiguration(type=e["type"], kwargs=kwargs).to_domain_obj())
suite = ctx.suites.add(gx.ExpectationSuite(name="lineitem_bench", expectations=exps))
vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="vd", data=bd, suite=suite))
cp = ctx.checkpoints.add(gx.Checkpoint(name="cp", validation_definitions=[vd]))
result = cp.run(batch_parameters={"dataframe": spark.table("tpch.stg_lineitem")})
res = [r for v in result.run_results.values() for r in v.results]
failed = [r.expectation_config.type + ("(raised)" if (r.exception_info or {}).get("raised_exception") else "") for r in res if not r.success]
print(json.dumps({"checks": len(res), "passed": len(res) - len(failed), "failed": failed}))
"""
)


def _tree_peak_mib(root: int, stop: threading.Event, out: list[float]) -> None:
    """Largest RSS of any process in root's tree, sampled every 0.25 s (the JVM is a grandchild)."""
    peak = 0
    while not stop.is_set():
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        todo = [root]
        while todo:
            pid = todo.pop()
            peak = max(peak, rss.get(pid, 0))
            todo += children.get(pid, [])
        stop.wait(0.25)
    out.append(peak / 2**20)


def measured(args: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(seconds, peak MiB of the largest process of the tree, result) of one subprocess run."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop, peak = threading.Event(), []
    sampler = threading.Thread(target=_tree_peak_mib, args=(proc.pid, stop, peak))
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    return elapsed, peak[0], subprocess.CompletedProcess(args, proc.returncode, out, err)


def make_parquet(sf: str) -> Path:
    """lineitem and orders of TPC-H at scale factor sf as Parquet folders (made once, kept)."""
    data = OUT / f"sf{sf}"
    if (data / "done").exists():
        return data
    import duckdb
    import duckdb_extension_tpch

    ext = next(Path(duckdb_extension_tpch.__file__).parent.rglob("tpch.duckdb_extension"))
    print(f"making TPC-H SF{sf} lineitem and orders as Parquet in {data} ...", flush=True)
    shutil.rmtree(data, ignore_errors=True)
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute(f"CALL dbgen(sf={sf})")
    for table in ("lineitem", "orders"):
        (data / table).mkdir(parents=True)
        con.execute(f"COPY {table} TO '{data / table / 'part-0.parquet'}' (FORMAT parquet)")
    con.close()
    (data / "done").touch()  # beside the tables: Spark reads every file in a table folder
    return data


def make_workspace(sf: str, data: Path) -> tuple[Path, int]:
    ws = OUT / f"ws-sf{sf}"
    project = ws / "tpch"
    if ws.exists():
        shutil.rmtree(project, ignore_errors=True)
        for name in ("suites", "gx", ".pef-gx"):
            shutil.rmtree(ws / name, ignore_errors=True)
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
              target: spark
              outputs:
                spark:
                  type: spark
                  method: session
                  host: local
                  schema: {SCHEMA}
                  threads: 2
                  server_side_parameters:
                    spark.master: "local[2]"
                    spark.sql.catalogImplementation: hive
                    spark.sql.warehouse.dir: "{ws}/spark/warehouse"
                    spark.hadoop.javax.jdo.option.ConnectionURL: "jdbc:derby:;databaseName={ws}/spark/metastore_db;create=true"
                    spark.sql.shuffle.partitions: "4"
                    spark.ui.enabled: "false"
                    spark.driver.host: 127.0.0.1
                    spark.driver.bindAddress: 127.0.0.1
            """
        )
    )
    (project / "models" / "sources.yml").write_text(
        SOURCES_YML.replace("{{ 'pef_bench' if target.type == 'postgres' else 'main' }}", SCHEMA)
    )
    (project / "models" / "stg_lineitem.sql").write_text(
        "{{ config(materialized='view') }}\nselect * from {{ source('tpch', 'lineitem') }}\n"
    )
    reg = subprocess.run(
        [sys.executable, "-c", REGISTER, str(ws), str(data)], capture_output=True, text=True, cwd=ws
    )
    if reg.returncode != 0:
        raise SystemExit(f"registering the Parquet tables failed: {reg.stderr[-2000:]}")
    rows = int(reg.stdout.strip().splitlines()[-1])
    dbt = [str(BIN / "dbt"), "run", "--project-dir", "tpch", "--profiles-dir", "tpch", "-q"]
    run = subprocess.run(dbt, cwd=ws, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"dbt run failed: {run.stdout[-2000:]}{run.stderr[-2000:]}")
    (ws / "pef-gx.yml").write_text(
        "dbt_project_dir: tpch\nprofiles_dir: tpch\ngx_dir: gx\nsuites_dir: suites\n"
    )
    gen = subprocess.run(
        [str(BIN / "pef-gx"), "generate", "--parse", "-q"], cwd=ws, capture_output=True, text=True
    )
    if gen.returncode != 0:
        raise SystemExit(f"pef-gx generate failed: {gen.stdout}{gen.stderr}")
    return ws, rows


def pef_gx_checkpoint(ws: Path) -> tuple[float, float, str, float | None]:
    """`pef-gx checkpoint --target spark` (the compiled engine, Spark SQL dialect) on the suite `pef-gx
    generate` wrote, and its validation phase; a run that stops (exit 2) reports its first error line
    instead of a verdict."""
    results = ws / ".pef-gx" / "results" / "latest.json"
    results.unlink(missing_ok=True)
    t, peak, proc = measured([str(BIN / "pef-gx"), "checkpoint", "--no-docs", "-q", "--target", "spark"], ws)
    if proc.returncode < 2 and results.exists():
        run = json.loads(results.read_text())
        statuses = [c["status"] for c in run["checks"]]
        phase = run.get("phases", {}).get("validation")
        note = (
            f"exit {proc.returncode}, {statuses.count('pass')}/{len(statuses)} pass; validation {phase:.1f}s"
        )
        return t, peak, note, phase
    first = (proc.stderr.strip() or proc.stdout.strip() or "?").splitlines()[0][:120]
    return t, peak, f"FAILED (exit {proc.returncode}): {first}", None


def bench(sf: str) -> dict:
    data = make_parquet(sf)
    ws, rows_count = make_workspace(sf, data)
    suite = ws / "suites" / "stg_lineitem.json"
    checks = len(json.loads(suite.read_text())["expectations"])
    results: list[tuple[str, float, float, str]] = []
    phase = None
    for method in METHODS:
        if method == "pef-gx":
            t, peak, note, phase = pef_gx_checkpoint(ws)
            results.append(("pef-gx checkpoint", t, peak, note))
        elif method == "gx-default":
            t, peak, proc = measured([sys.executable, "-c", GX_DEFAULT, str(ws), str(suite)], REPO)
            info = (
                proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 else proc.stderr.strip()[-200:]
            )
            results.append(("GX default checkpoint", t, peak, info))
        elif method == "dbt-test":
            t, peak, proc = measured(
                [str(BIN / "dbt"), "test", "--project-dir", "tpch", "--profiles-dir", "tpch", "-q"], ws
            )
            results.append(("dbt test", t, peak, f"exit {proc.returncode}"))
        elif method == "floor":
            sql = FLOOR_SQL.format(schema=SCHEMA)
            t, peak, proc = measured([sys.executable, "-c", FLOOR, str(ws), sql], REPO)
            floor = (
                json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"query_s": t}
            )
            note = (
                f"violations {floor.get('violations')}; process {t:.1f}s"
                if proc.returncode == 0
                else proc.stderr[-200:]
            )
            results.append(("floor: one aggregate query", floor["query_s"], peak, note))
        else:
            raise SystemExit(f"unknown method {method!r} in PEF_SPARK_METHODS")

    print(f"\nspark local[2]: TPC-H SF{sf} lineitem, {rows_count:,} rows, {checks} checks")
    floors = [r[1] for r in results if r[0].startswith("floor")]
    base = floors[0] if floors else None
    print(f"  {'method':<28}{'seconds':>9}{'x floor':>9}{'peak MiB':>10}  note")
    for name, seconds, mib, note in results:
        ratio = f"{seconds / base:>9.2f}" if base else f"{'-':>9}"
        print(f"  {name:<28}{seconds:>9.2f}{ratio}{mib:>10.0f}  {note}", flush=True)
    return {"rows": rows_count, "validation_s": phase, "floor_s": base, "methods": results}


def growth(summary: dict[str, dict]) -> None:
    """pef-gx's cost as rows grow: each scale's whole process (JVM start included) and validation phase,
    and between consecutive scales the extra seconds per extra million rows, against the floor's; the
    driver's peak memory relative to the smallest scale."""
    scales = [sf for sf in summary if summary[sf]["validation_s"]]
    if len(scales) < 2:
        return

    def pef(r: dict) -> tuple[float, float]:
        return next((m[1], m[2]) for m in r["methods"] if m[0] == "pef-gx checkpoint")

    peak0 = pef(summary[scales[0]])[1]
    print("\npef-gx growth (process = whole `pef-gx checkpoint`, JVM start included)")
    print(f"  {'SF':<6}{'rows':>12}{'process s':>11}{'validation s':>14}{'floor query s':>15}{'peak x':>8}")
    for sf in scales:
        r = summary[sf]
        floor = f"{r['floor_s']:>15.2f}" if r["floor_s"] else f"{'-':>15}"
        print(
            f"  {sf:<6}{r['rows']:>12,}{pef(r)[0]:>11.2f}{r['validation_s']:>14.2f}{floor}{pef(r)[1] / peak0:>8.2f}"
        )
    print(f"  {'from SF':<8}{'to SF':<7}{'pef-gx s / extra M rows':>25}{'floor s / extra M rows':>24}")
    for a, b in itertools.pairwise(scales):
        ra, rb = summary[a], summary[b]
        extra = (rb["rows"] - ra["rows"]) / 1e6
        mine = (pef(rb)[0] - pef(ra)[0]) / extra
        floor = (rb["floor_s"] - ra["floor_s"]) / extra if ra["floor_s"] and rb["floor_s"] else None
        shown = f"{floor:>24.2f}" if floor is not None else f"{'-':>24}"
        print(f"  {a:<8}{b:<7}{mine:>25.2f}{shown}")


def main(scale_factors: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; floor = the query alone, others = whole process incl. JVM start")
    summary = {sf: bench(sf) for sf in scale_factors}
    growth(summary)
    (OUT / "latest.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["0.1", "1"]))
