"""Error classes from real warehouse messages: PostgreSQL permission and timeout errors, DuckDB errors."""

from __future__ import annotations

import uuid

import pytest

from pef_gx.observability.explain import classify, explain_nodes
from pef_gx.observability.lineage import Lineage
from tests.conftest import require_postgres


def _pg_error(statements: list[str]) -> str:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for sql in statements[:-1]:
                cur.execute(sql)
            try:
                cur.execute(statements[-1])
            except psycopg2.Error as exc:
                return str(exc)
    finally:
        conn.close()
    raise AssertionError("no error")


@pytest.mark.postgres
def test_postgres_permission_timeout_missing_relation_and_column() -> None:
    require_postgres()
    role, schema = f"pef_ro_{uuid.uuid4().hex[:6]}", f"pef_cls_{uuid.uuid4().hex[:6]}"
    try:
        denied = _pg_error(
            [
                f"create schema {schema}",
                f"create table {schema}.t (a int)",
                f"create role {role}",
                f"set role {role}",
                f"select * from {schema}.t",
            ]
        )
        assert classify(denied, "model", "error") == "permission"
    finally:
        _pg_error(
            [
                "reset role",
                f"drop schema if exists {schema} cascade",
                f"drop role if exists {role}",
                "select 1/0",
            ]
        )
    timeout = _pg_error(["set statement_timeout = 50", "select pg_sleep(2)"])
    assert classify(timeout, "model", "error") == "timeout"
    assert classify(_pg_error(["select * from no_such_table_pef"]), "model", "error") == "missing_relation"
    assert classify(_pg_error(["select no_col from (select 1 as a) x"]), "model", "error") == "missing_column"
    assert classify(_pg_error(["selec 1"]), "model", "error") == "syntax"
    assert classify(_pg_error(["select 1/0"]), "model", "error") == "type_error"


def test_duckdb_messages() -> None:
    import duckdb

    conn = duckdb.connect()
    cases = {
        "select * from missing_tbl": "missing_relation",
        "select nope from (select 1 as a)": "missing_column",
        "selec 1": "syntax",
        "select cast('x' as integer)": "type_error",
    }
    for sql, category in cases.items():
        with pytest.raises(duckdb.Error) as info:
            conn.execute(sql)
        assert classify(str(info.value), "model", "error") == category, str(info.value)


def test_dbt_compilation_error_and_warn_tests() -> None:
    message = "Compilation Error in model x (models/x.sql)\n  'foo' is undefined"
    assert classify(message, "model", "error") == "compilation"
    assert classify("Got 3 results, configured to fail if != 0", "test", "fail") == "data_test_failure"
    assert classify("weird", "model", "error") == "unknown"


def test_earliest_failed_ancestor_is_the_root() -> None:
    a, b, c, d = (f"model.p.{n}" for n in "abcd")
    lineage = Lineage(parents={b: [a], c: [b], d: [a]}, children={a: [b, d], b: [c]})
    nodes = {
        a: {"status": "error", "message": "Catalog Error: Table with name raw does not exist!"},
        b: {"status": "skipped"},
        c: {"status": "skipped"},
        d: {"status": "error", "message": "permission denied for table x"},
    }
    explanation = explain_nodes("r1", nodes, lineage)
    assert [r.failure.unique_id for r in explanation.root_causes] == [a]
    root = explanation.root_causes[0]
    assert root.blocked == [b, c, d] and root.downstream_failures == [d]


def test_failed_error_checks_are_listed_with_owner_and_next_step(tmp_path) -> None:
    from pef_gx.observability.history import record_run
    from pef_gx.observability.service import explain_run
    from tests.conftest import run_cli
    from tests.observability.helpers import make_run, settings_for

    settings = settings_for(tmp_path)
    record_run(
        settings, make_run(0, {"model.pef_shop.stg_orders": ("success", 0.1)}, {"c1": "fail", "c2": "pass"})
    )
    explanation = explain_run(settings)
    assert not explanation.ok and not explanation.root_causes
    (check,) = explanation.check_failures
    assert check["check_id"] == "c1" and "Data Docs" in check["next_step"]
    (tmp_path / "pef-gx.yml").write_text("{}\n")
    result = run_cli("explain", cwd=tmp_path)
    assert result.returncode == 1
    assert "check failed: not_null on stg_orders (3 unexpected)" in result.stdout
