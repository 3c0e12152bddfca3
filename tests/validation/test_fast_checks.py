"""pef-gx's own SQL for compound uniqueness gives GX's verdict and count (DuckDB and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import drop_schema, require_postgres

pytestmark = [pytest.mark.integration]

ROWS = "(1, 1), (1, 2), (1, 2), (2, 1), (null, 1), (null, 1), (null, null), (null, null), (3, null), (4, 4), (4, 4), (4, 4)"


@pytest.fixture(params=["duckdb", "postgres"])
def table(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(connection string, schema, table) of a table with duplicates, NULL duplicates and all-NULL rows."""
    if request.param == "duckdb":
        import duckdb

        path = tmp_path / "fast.duckdb"
        con = duckdb.connect(str(path))
        con.execute(f"create table keys as select * from (values {ROWS}) t(a, b)")
        con.close()
        yield f"duckdb:///{path}", "main", "keys"
        return
    require_postgres()
    import psycopg2

    schema = f"pef_fast_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            f"create schema {schema}; create table {schema}.keys as select * from (values {ROWS}) t(a, b)"
        )
    conn.close()
    try:
        yield "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", schema, "keys"
    finally:
        drop_schema(schema)


@pytest.mark.parametrize("ignore_row_if", ["never", "all_values_are_missing", "any_value_is_missing"])
def test_compound_unique_matches_gx(table: tuple[str, str, str], ignore_row_if: str) -> None:
    from pef_gx.validation import duckdb_fix, fast_checks
    from pef_gx.validation.context import quiet_gx

    quiet_gx()
    duckdb_fix.apply()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    url, schema, name = table
    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_sql(f"fast_{uuid.uuid4().hex[:6]}", connection_string=url)
    batch = (
        ds.add_table_asset(name, table_name=name, schema_name=schema)
        .add_batch_definition_whole_table("w")
        .get_batch()
    )
    expectation = gxe.ExpectCompoundColumnsToBeUnique(column_list=["a", "b"], ignore_row_if=ignore_row_if)
    assert fast_checks.handles(expectation.expectation_type, expectation.configuration.kwargs)
    theirs = batch.validate(expectation, result_format="BASIC")
    ours = fast_checks.evaluate_compound_unique(ds.get_engine(), f'"{schema}"."{name}"', expectation, 12, 5)
    ds.get_engine().dispose()
    assert ours.success == theirs.success is False
    assert ours.result["unexpected_count"] == theirs.result["unexpected_count"]
    assert ours.result["element_count"] == 12
    assert ours.result["partial_unexpected_list"]  # a few duplicated keys, for the report
