"""Spark as a target: the sample project builds on Spark with DuckDB's results, pef-gx's Spark connection
runs aggregates inside Spark and releases the Derby metastore for the next dbt run, and the server path
(dbt over Thrift, pef-gx over Spark Connect) reads what dbt wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pef_gx.artifacts.profiles import load_target
from pef_gx.artifacts.project import load_dbt_project
from pef_gx.errors import DatabaseError
from pef_gx.warehouse.connection import check_reachable, connect, session_scope
from tests.conftest import PLANTED, dbt, run_cli
from tests.spark.conftest import Built, node_results

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _target(project: Path, name: str, environ: dict[str, str] | None = None):
    return load_target(load_dbt_project(project), project, name, environ={**os.environ, **(environ or {})})


def test_dbt_build_on_spark_gives_duckdbs_result_for_every_node(spark_built: Built) -> None:
    assert set(spark_built.spark) == set(spark_built.duckdb)
    differ = {
        uid: (spark_built.duckdb[uid], spark_built.spark[uid])
        for uid in spark_built.duckdb
        if spark_built.duckdb[uid] != spark_built.spark[uid]
    }
    assert differ == {}
    warned = {uid.split(".")[2] for uid, (status, _) in spark_built.spark.items() if status == "warn"}
    assert warned == PLANTED
    assert {status for status, _ in spark_built.spark.values()} == {"success", "pass", "warn"}


def test_connection_aggregates_in_spark_then_releases_the_metastore(spark_built: Built) -> None:
    target = _target(spark_built.project, "spark")
    conn = connect(target)
    try:
        cur = conn.cursor()
        cur.execute(
            "select count(*), count(email), sum(case when email rlike ? then 1 else 0 end) "
            "from pef_shop.stg_customers",
            ("^[^@]+@[^@]+$",),
        )
        assert cur.description[0][0] == "count(1)"
        assert cur.fetchall() == [(500, 496, 496)]  # 4 planted NULL e-mails stay NULL on Spark too
        cur.execute("describe table pef_shop.dim_customers")
        assert ("customer_id", "int") in {(r[0], r[1]) for r in cur.fetchall()}
        spark_profile = _profile(conn, "spark", "pef_shop")
        jvm = conn.session.sparkContext._gateway.proc
    finally:
        conn.close()
    assert jvm.poll() is not None, "closing the connection must end the JVM holding Derby"
    # generate --infer's profile (one aggregate pass, regexes included) says on Spark what it says on DuckDB.
    duck = connect(_target(spark_built.project, "duckdb"), read_only=True)
    try:
        assert spark_profile == _profile(duck, "duckdb", "main")
    finally:
        duck.close()
    assert spark_profile["email"][2] == {"email": 496, "uuid": 0, "iso_date": 0}
    # dbt, another process, opens the same metastore right after (Derby admits one JVM at a time).
    dbt(spark_built.project, "test", "--target", "spark", "-s", "unique_stg_customers_customer_id")
    ran = node_results(spark_built.project / "target")
    assert [s for uid, s in ran.items() if uid.startswith("test.")] == [("pass", 0)]


def test_connections_in_a_session_scope_share_one_jvm_that_ends_with_it(spark_built: Built) -> None:
    target = _target(spark_built.project, "spark")
    with session_scope(target):  # what `pef-gx build` wraps its post-run steps in
        first = connect(target)
        jvm = first.session.sparkContext._gateway.proc
        first.close()
        assert jvm.poll() is None
        second = connect(target)
        try:
            assert second.session.sparkContext._gateway.proc is jvm
            cur = second.cursor()
            cur.execute("select count(*) from pef_shop.sales")
            assert cur.fetchone() == (4901,)
        finally:
            second.close()
    assert jvm.poll() is not None


def _profile(conn, dialect: str, schema: str) -> dict[str, tuple]:
    """Column -> (non-null, distinct, pattern hits, low-cardinality values) of stg_customers."""
    from pef_gx.warehouse import profile as prof
    from pef_gx.warehouse.sql import relation

    columns = prof.columns_of(conn, dialect, schema, "stg_customers")
    table = prof.profile_table(conn, dialect, relation(dialect, schema, "stg_customers"), columns, 30)
    assert table.row_count == 500
    return {
        c.name: (c.non_null, c.distinct, c.pattern_hits, sorted(map(str, c.values or ())))
        for c in table.columns
    }


def test_spark_targets_resolve_like_dbt(tmp_path: Path) -> None:
    from tests.conftest import copy_sample_project

    project = copy_sample_project(tmp_path / "p")
    session = _target(project, "spark", {"PEF_SPARK_DIR": "x/spark"})
    assert (session.type, session.spark_method, session.schema, session.connect_url) == (
        "spark",
        "session",
        "pef_shop",
        None,
    )
    conf = session.spark_conf
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.sql.warehouse.dir"] == str(project.resolve() / "x/spark/warehouse")
    metastore = project.resolve() / "x/spark/metastore_db"
    assert (
        conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
        == f"jdbc:derby:;databaseName={metastore};create=true"
    )
    assert session.describe() == "spark session local[2] (schema pef_shop)"
    server = _target(
        project, "spark_server", {"PEF_SPARK_THRIFT_PORT": "10001", "PEF_SPARK_CONNECT_PORT": "15003"}
    )
    assert (server.spark_method, server.host, server.port) == ("thrift", "127.0.0.1", 10001)
    assert server.connect_url == "sc://127.0.0.1:15003"


def test_a_server_that_is_not_running_is_one_line_with_the_fix(tmp_path: Path) -> None:
    from tests.conftest import copy_sample_project

    project = copy_sample_project(tmp_path / "p")
    down = {"PEF_SPARK_THRIFT_PORT": "9", "PEF_SPARK_CONNECT_PORT": "9"}  # the discard port: nothing listens
    with pytest.raises(DatabaseError) as err:
        check_reachable(_target(project, "spark_server", down))
    assert "cannot connect to the Spark Thrift server at 127.0.0.1:9" in err.value.message
    assert "make spark-server" in str(err.value.hint)
    proc = run_cli("build", "--target", "spark_server", "--project-dir", str(project), env=down, cwd=tmp_path)
    assert proc.returncode == 2
    assert "make spark-server" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_a_checkpoint_on_a_server_that_is_down_or_not_spark_fails_in_seconds(tmp_path: Path) -> None:
    """pyspark's client retries an unreachable Spark Connect server for ten minutes in silence: pef-gx must
    say so in one line instead, whether nothing listens on the port or something that is not Spark does."""
    import socket
    import threading

    from tests.conftest import copy_workspace

    workspace = copy_workspace(tmp_path / "ws")
    dbt(workspace / "dbt_project", "parse", "--target", "spark_server")
    not_spark = socket.create_server(("127.0.0.1", 0))  # accepts, then hangs up: a port that is not Spark

    def hang_up() -> None:
        while True:
            try:
                conn, _ = not_spark.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        for port, says in (("9", "Connection refused"), (str(not_spark.getsockname()[1]), "UNAVAILABLE")):
            env = {"PEF_SPARK_THRIFT_PORT": port, "PEF_SPARK_CONNECT_PORT": port}
            args = ("checkpoint", "--target", "spark_server", "--no-docs")
            proc = run_cli(*args, env=env, cwd=workspace, timeout=120)  # a hang fails here, not in CI's limit
            assert proc.returncode == 2, proc.stderr
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and says in lines[0] and "make spark-server" in lines[0], proc.stderr
    finally:
        not_spark.close()


def test_a_session_target_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import copy_sample_project

    project = copy_sample_project(tmp_path / "p")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(DatabaseError) as err:
        check_reachable(_target(project, "spark"))
    assert "Spark needs Java" in err.value.message


def test_server_dbt_over_thrift_and_connect_reads_its_tables(
    spark_server: dict[str, str], tmp_path: Path
) -> None:
    from tests.conftest import copy_sample_project

    project = copy_sample_project(tmp_path / "p")
    dbt(
        project,
        "build",
        "--target",
        "spark_server",
        "-s",
        "+stg_customers",
        "--indirect-selection",
        "cautious",
        env=spark_server,
    )
    conn = connect(_target(project, "spark_server", spark_server))
    try:
        cur = conn.cursor()
        cur.execute(
            "select count(*), count(distinct customer_id) from pef_shop.stg_customers where customer_id > ?",
            (0,),
        )
        assert cur.fetchone() == (500, 500)
        assert cur.fetchone() is None
    finally:
        conn.close()
        # pyspark marks this process as a Spark Connect one; later tests start local sessions in children
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)


def test_checkpoint_gives_the_same_numbers_on_duckdb_postgres_and_spark(
    spark_built: Built, pg_env: dict[str, str], tmp_path: Path
) -> None:
    """The sample project's suites on three engines, built from the same seeds: every check has the same
    verdict, element count and unexpected count (the planted defects included). The type checks too:
    GX reads them on DuckDB and PostgreSQL, the compiled engine from Spark's catalog."""
    import json

    from pef_gx.validation.compiler import SCHEMA_TYPES
    from pef_gx.validation.suites import DEFERRED_TYPES as DEFERRED

    root = spark_built.root

    def checks(*args: str, env: dict[str, str] | None = None) -> dict[str, dict]:
        done = run_cli(*args, "--no-docs", "--include-stale", "-q", cwd=root, env=env)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        run = json.loads((root / ".pef-gx" / "results" / "latest.json").read_text())
        # the quality-score and build-time tests judge the run, not the data: a build's run has more
        return {
            f"{c['suite']}:{c['check_id']}": c for c in run["checks"] if c["expectation_type"] not in DEFERRED
        }

    spark = checks("checkpoint", "--target", "spark")
    # DBT_SCHEMA (pg_env) is for the PostgreSQL build only: DuckDB's tables are in its default schema
    duck = checks("checkpoint", "--target", "duckdb", "--parse", env={"DBT_SCHEMA": "main"})
    built = run_cli("build", "--target", "postgres", "-q", cwd=root, env={**os.environ, **pg_env})
    assert built.returncode == 0, built.stdout + built.stderr
    postgres = checks("checkpoint", "--target", "postgres")
    assert set(spark) == set(duck) == set(postgres)
    typed = {k for k, c in spark.items() if c["expectation_type"] in SCHEMA_TYPES}
    assert typed, "the sample's contracts give type checks"
    fields = ("status", "element_count", "unexpected_count")
    differ = {
        k: [(name, duck[k][name], postgres[k][name], spark[k][name]) for name in fields
            if not duck[k][name] == postgres[k][name] == spark[k][name]]
        for k in spark
    }  # fmt: skip
    assert {k: v for k, v in differ.items() if v} == {}
    assert {c["engine"] for c in spark.values()} == {"compiled"}
    assert {duck[k]["engine"] for k in typed} == {postgres[k]["engine"] for k in typed} == {"gx"}
    planted = {c["node_name"] for c in spark.values() if c["status"] == "warn"}
    assert planted, "the planted defects must show on every engine"
