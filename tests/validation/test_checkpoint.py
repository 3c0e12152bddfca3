"""`pef-gx build` / `pef-gx checkpoint` on DuckDB and PostgreSQL with the sample project's real suites.

Each test runs the real CLI (dbt, GX, the database) on the module's built workspace, or on a private
variant of it when it edits suites, the manifest or the data.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.validation.conftest import Workspace, checks_by, edit_expectations, pef, results_of, variant

pytestmark = [pytest.mark.integration]


def _kind(kind: str, column: str | None = None):
    def keep(e: dict) -> bool:
        meta = pef(e)
        return meta.get("kind") == kind and (column is None or column in (meta.get("columns") or []))

    return keep


def _checkpoint(ws: Workspace, root: Path, *args: str, env: dict | None = None):
    return run_cli("checkpoint", "--no-docs", *args, cwd=root, env={**ws.env, **(env or {})})


# --- the build itself ------------------------------------------------------------------------------


def test_build_runs_the_checkpoint_and_writes_one_results_file(built_ws: Workspace) -> None:
    build = built_ws.build
    results = built_ws.latest()
    assert results["command"] == "build"
    assert results["target_type"] == built_ws.engine
    assert "GX checkpoint on" in build.stdout and "results:" in build.stdout
    # exit 1 exactly when an error-severity check failed
    failed_errors = [
        c for c in results["checks"] if c["status"] in ("fail", "error") and c["severity"] == "error"
    ]
    assert build.returncode == (1 if failed_errors else 0), build.stdout
    # every suite ran; dbt's node results of the same build ride along; one row count per built model
    suites = {p.stem for p in built_ws.suites_dir.glob("*.json")}
    assert {c["suite"] for c in results["checks"]} == suites
    dbt_nodes = {n["unique_id"]: n for n in results["dbt_nodes"]}
    assert dbt_nodes["model.pef_shop.sales"]["status"] == "success"
    assert results["dbt_invocation_id"]
    counts = {r["node_id"]: r["row_count"] for r in results["relations"]}
    assert (
        counts["model.pef_shop.sales"]
        == built_ws.sql(f'select count(*) from "{built_ws.schema}"."sales"')[0][0]
    )
    assert counts["model.pef_shop.sales_daily"] > 0
    # the planted defects, as the suites (from the dbt tests) see them: warnings with counts and values
    email = checks_by(results, suite="stg_customers", kind="not_null", columns=["email"])[0]
    assert (email["status"], email["unexpected_count"], email["severity"]) == ("warn", 4, "error")
    rel = checks_by(results, suite="sales", kind="relationships", columns=["product_id"])[0]
    assert rel["status"] == "warn" and rel["unexpected_count"] == 1 and 999 in rel["unexpected_values"]
    assert rel["origin_type"] == "dbt_test" and rel["origin_ref"].startswith(
        "test.pef_shop.relationships_sales"
    )
    # one file per run plus latest.json, identical
    run_file = built_ws.root / ".pef-gx" / "results" / f"{results['run_id']}.json"
    assert json.loads(run_file.read_text()) == results
    assert Path(results["data_docs_index"]).is_file()


# --- verdicts ------------------------------------------------------------------------------------


def test_passing_suite_exits_0(built_ws: Workspace, tmp_path: Path) -> None:
    suite = edit_expectations(built_ws.suite("stg_products"), lambda e: True)
    root = variant(built_ws, tmp_path, {"stg_products": suite})
    proc = _checkpoint(built_ws, root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = results_of(root)
    assert results["checks"] and {c["status"] for c in results["checks"]} == {"pass"}
    rows = built_ws.sql(f'select count(*) from "{built_ws.schema}"."stg_products"')[0][0]
    assert {c["element_count"] for c in results["checks"] if c["level"] == "row"} == {rows}
    assert "no error-severity failure" in proc.stdout


@pytest.mark.parametrize("severity,code,status", [("error", 1, "fail"), ("warn", 0, "warn")])
def test_planted_defect_fails_or_warns_by_severity(
    built_ws: Workspace, tmp_path: Path, severity: str, code: int, status: str
) -> None:
    def change(e: dict) -> None:
        pef(e)["severity"] = severity

    suite = edit_expectations(built_ws.suite("sales"), _kind("relationships", "product_id"), change)
    root = variant(built_ws, tmp_path, {"sales": suite})
    proc = _checkpoint(built_ws, root)
    assert proc.returncode == code, proc.stdout + proc.stderr
    (check,) = results_of(root)["checks"]
    assert check["status"] == status and check["unexpected_values"] == [999]
    assert "sales" in proc.stdout and status in proc.stdout


def test_warn_if_error_if_thresholds(built_ws: Workspace, tmp_path: Path) -> None:
    """4 NULL emails: error_if >10 -> warn, error_if >3 -> fail, warn_if >5 -> pass."""
    base = edit_expectations(built_ws.suite("stg_customers"), _kind("not_null", "email"))
    (expectation,) = base["expectations"]
    variants = []
    for warn_if, error_if in ((">0", ">10"), (">0", ">3"), (">5", ">10")):
        copy = json.loads(json.dumps(expectation))
        pef(copy).update(
            warn_if=warn_if, error_if=error_if, severity="error", check_id=f"t{warn_if}{error_if}"
        )
        variants.append(copy)
    base["expectations"] = variants
    root = variant(built_ws, tmp_path, {"stg_customers": base})
    proc = _checkpoint(built_ws, root)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the error_if >3 one
    statuses = [c["status"] for c in results_of(root)["checks"]]
    assert statuses == ["warn", "fail", "pass"]
    assert all(c["unexpected_count"] == 4 for c in results_of(root)["checks"][:2])


def test_missing_table_and_missing_column_are_failed_checks_not_crashes(
    built_ws: Workspace, tmp_path: Path
) -> None:
    products = edit_expectations(built_ws.suite("stg_products"), lambda e: True)
    ghost = json.loads(json.dumps(products["expectations"][0]))
    ghost["kwargs"] = {"column": "no_such_column"}
    ghost["type"] = "expect_column_values_to_not_be_null"
    pef(ghost).update(columns=["no_such_column"], check_id="ghost", kind="not_null")
    products["expectations"].append(ghost)
    orders = edit_expectations(built_ws.suite("fct_orders"), lambda e: True)

    def drop_table(manifest: dict) -> None:
        manifest["nodes"]["model.pef_shop.fct_orders"]["alias"] = "fct_orders_never_built"

    root = variant(
        built_ws, tmp_path, {"stg_products": products, "fct_orders": orders}, manifest_edit=drop_table
    )
    proc = _checkpoint(built_ws, root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    results = results_of(root)
    (missing_column,) = checks_by(results, check_id="ghost")
    assert missing_column["status"] == "error" and "no_such_column" in missing_column["message"]
    assert {c["status"] for c in checks_by(results, suite="stg_products") if c["check_id"] != "ghost"} == {
        "pass"
    }
    table_checks = checks_by(results, suite="fct_orders")
    assert table_checks and {c["status"] for c in table_checks} == {"error"}
    assert all(
        "fct_orders_never_built" in c["message"] and "does not exist" in c["message"] for c in table_checks
    )


def test_empty_table_is_valid_input(built_ws: Workspace, tmp_path: Path) -> None:
    suite = edit_expectations(built_ws.suite("sales"), lambda e: True)

    def empty(manifest: dict) -> None:
        manifest["nodes"]["model.pef_shop.sales"]["alias"] = "sales_empty"

    root = variant(built_ws, tmp_path, {"sales": suite}, manifest_edit=empty)
    built_ws.sql(f'drop table if exists "{built_ws.schema}"."sales_empty"', root)
    built_ws.sql(
        f'create table "{built_ws.schema}"."sales_empty" as select * from "{built_ws.schema}"."sales" where 1 = 0',
        root,
    )
    proc = _checkpoint(built_ws, root)
    results = results_of(root)
    assert proc.returncode in (0, 1), proc.stderr
    assert not [c for c in results["checks"] if c["status"] == "error"], results["checks"]
    row_checks = [c for c in results["checks"] if c["level"] == "row"]
    assert row_checks and all(c["status"] == "pass" and c["element_count"] == 0 for c in row_checks)
    assert {r["row_count"] for r in results["relations"]} == {0}


def test_unknown_expectation_type_names_the_file(built_ws: Workspace, tmp_path: Path) -> None:
    suite = edit_expectations(built_ws.suite("stg_products"), lambda e: True)
    suite["expectations"][0]["type"] = "expect_column_values_to_be_purple"
    root = variant(built_ws, tmp_path, {"stg_products": suite})
    proc = _checkpoint(built_ws, root)
    assert proc.returncode == 2
    assert "expect_column_values_to_be_purple" in proc.stderr
    assert str(root / "suites" / "stg_products.json") in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (root / ".pef-gx").exists()


def test_select_limits_the_suites(built_ws: Workspace, tmp_path: Path) -> None:
    names = ("stg_products", "stg_payments", "stg_orders")
    root = variant(built_ws, tmp_path, {n: built_ws.suite(n) for n in names})
    proc = _checkpoint(built_ws, root, "--select", "stg_products", "--select", "stg_payments")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = results_of(root)
    assert results["command"] == "checkpoint"
    assert {c["suite"] for c in results["checks"]} == {"stg_products", "stg_payments"}
    # a dbt build someone else ran: its run_results ride along
    assert results["dbt_invocation_id"] and results["dbt_nodes"]


@pytest.mark.parametrize("built_ws", ["postgres"], indirect=True)
def test_password_is_only_referenced_never_written(built_ws: Workspace, tmp_path: Path) -> None:
    secret = "pef-s3cret-pw"  # trust auth: the server accepts it, so the run goes through
    root = variant(built_ws, tmp_path, {"stg_products": built_ws.suite("stg_products")})
    proc = run_cli("checkpoint", cwd=root, env={**built_ws.env, "DBT_PASSWORD": secret})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = [
        p for p in root.rglob("*") if p.is_file() and p.suffix in (".json", ".yml", ".html", ".log", ".txt")
    ]
    assert any(p.suffix == ".html" for p in written) and (root / "gx" / "great_expectations.yml").is_file()
    leaked = [p for p in written if secret in p.read_text(encoding="utf-8", errors="replace")]
    assert leaked == [] and secret not in proc.stdout + proc.stderr


@pytest.mark.parametrize("built_ws", ["postgres"], indirect=True)
def test_gx_engine_gives_each_suites_connections_back(built_ws: Workspace, tmp_path: Path) -> None:
    """A role allowed 8 connections validates every suite with `--engine gx` on 2 threads: each suite's
    connections close when it ends (GX's execution engine builds a SQLAlchemy engine of its own; left
    open, 300 suites stopped at PostgreSQL's "too many clients")."""
    suites = {p.stem: json.loads(p.read_text()) for p in built_ws.suites_dir.glob("*.json")}
    assert len(suites) > 8
    root = variant(built_ws, tmp_path, suites, threads=2)
    role = f"pef_limited_{uuid.uuid4().hex[:8]}"
    built_ws.sql(
        f"create role {role} login connection limit 8; grant usage on schema {built_ws.schema} to {role}; "
        f"grant select on all tables in schema {built_ws.schema} to {role}"
    )
    try:
        proc = _checkpoint(built_ws, root, "--engine", "gx", env={"DBT_USER": role})
    finally:
        built_ws.sql(f"drop owned by {role}; drop role {role}")
    output = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1) and "too many connections" not in output, output
    checks = built_ws.latest(root)["checks"]
    assert {c["suite"] for c in checks} == set(suites)
    assert [c["message"] for c in checks if c["status"] == "error"] == []


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_build_exits_1_when_an_error_severity_check_fails(built_ws: Workspace, tmp_path: Path) -> None:
    def change(e: dict) -> None:
        pef(e)["severity"] = "error"

    suite = edit_expectations(built_ws.suite("sales"), _kind("relationships", "product_id"), change)
    root = variant(built_ws, tmp_path, {"sales": suite})
    proc = run_cli("build", "--select", "sales", cwd=root, env=built_ws.env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 error-severity check(s) failed" in proc.stdout
    results = results_of(root)
    assert results["command"] == "build" and [c["status"] for c in results["checks"]] == ["fail"]
    assert {n["unique_id"] for n in results["dbt_nodes"]} >= {"model.pef_shop.sales"}
    assert [r["node_id"] for r in results["relations"]] == ["model.pef_shop.sales"]


def test_duckdb_lock_held_by_another_process(tmp_path: Path) -> None:
    """A writer (say, dbt) holds the file: the checkpoint waits for it, or says who holds it (exit 2)."""
    import subprocess
    import sys

    import duckdb

    from pef_gx.artifacts.profiles import Target
    from pef_gx.errors import DatabaseError
    from pef_gx.validation.checkpoint import wait_for_duckdb

    database = tmp_path / "locked.duckdb"
    duckdb.connect(str(database)).close()
    target = Target(name="duckdb", type="duckdb", schema="main", path=database)

    def hold(seconds: float) -> subprocess.Popen:
        code = f"import duckdb, time; c = duckdb.connect({str(database)!r}); print('held', flush=True); time.sleep({seconds})"
        holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        return holder

    holder = hold(1.5)
    wait_for_duckdb(target, timeout_s=30)  # returns once the writer is gone
    assert holder.poll() is not None
    holder = hold(30)
    try:
        with pytest.raises(DatabaseError, match="lock") as caught:
            wait_for_duckdb(target, timeout_s=1)
        assert "PID" in str(caught.value) and "--wait SECONDS" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_compiled_engine_runs_what_it_knows_without_gx_and_says_which_engine_ran(
    built_ws: Workspace, tmp_path: Path
) -> None:
    """Suites of compiled types with --no-docs: GX is never imported (its 3 s are not paid); with a
    type check added, GX runs that one in the same run, and the results file says who ran what."""
    import subprocess
    import sys

    from pef_gx.validation import compiler

    names = ["stg_orders", "fct_orders", "stg_payments"]
    compiled_only = {
        n: edit_expectations(built_ws.suite(n), lambda e: e["type"] in compiler.COMPILED_TYPES) for n in names
    }
    root = variant(built_ws, tmp_path / "compiled", compiled_only)
    script = (
        "import json, sys\nfrom pef_gx.runner.checkpoint import run_checkpoint\n"
        "from pef_gx.settings import load_settings\nrun = run_checkpoint(load_settings(), build_docs=False)\n"
        "print(json.dumps([len(run.checks), sorted({c.engine for c in run.checks}),"
        " 'great_expectations' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env={**os.environ, **built_ws.env},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    count, engines, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert count > 20 and engines == ["compiled"] and imported is False, done.stdout

    mixed = {"dim_customers": built_ws.suite("dim_customers")}
    typed = {e["type"] for e in mixed["dim_customers"]["expectations"]} - compiler.COMPILED_TYPES
    assert typed, "the sample's dim_customers has type checks, which only GX runs"
    root = variant(built_ws, tmp_path / "mixed", mixed)
    proc = _checkpoint(built_ws, root)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    engines = {(c["expectation_type"], c["engine"]) for c in built_ws.latest(root)["checks"]}
    assert {t for t, engine in engines if engine == "gx"} == typed
    assert {t for t, engine in engines if engine == "compiled"} <= compiler.COMPILED_TYPES
