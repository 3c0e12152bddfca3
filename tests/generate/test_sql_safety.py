"""Untrusted names and values (quotes, spaces, upper case, unicode, reserved words, SQL in values) give
correct, injection-safe SQL on DuckDB and PostgreSQL: the unexpected-rows queries of the suites, the
profiling queries of inference, and the relation placeholders."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from pef_gx.checks import catalog
from pef_gx.checks import sql_template as sql
from pef_gx.checks.spec import CheckSpec
from pef_gx.warehouse import profile as prof
from pef_gx.warehouse.sql import relation
from tests.conftest import require_postgres

EVIL = "x'); drop table child; --"
COLUMNS = {  # name -> SQL type; all created quoted, so dbt would mark them `quote: true`
    'we"ird col': "integer",
    "Select": "varchar",
    "ünïcödé": "varchar",
    "order": "integer",
    "CamelCase": "date",
}
ROWS = [  # we"ird col, Select, ünïcödé, order, CamelCase
    (1, "it's", "{batch}", 10, "2024-01-01"),
    (2, EVIL, "b", 20, "2024-06-30"),
    (3, None, "c", 30, "2025-01-01"),
    (99, "plain", "{}", None, None),
]
PARENT = [(1,), (2,), (3,)]


def _create(conn: Any, dialect: str, schema: str) -> tuple[str, str]:
    child = relation(dialect, schema, "child")
    parent = relation(dialect, schema, "Parent Table")
    cols = ", ".join(f"{sql.quote_ident(n, quote=True)} {t}" for n, t in COLUMNS.items())
    cur = conn.cursor()
    cur.execute(f"create table {child} ({cols})")
    cur.execute(f"create table {parent} ({sql.quote_ident('ünïcödé id', quote=True)} integer)")
    for row in ROWS:
        cur.execute(f"insert into {child} values ({sql.literal_list(row)})")
    for row in PARENT:
        cur.execute(f"insert into {parent} values ({sql.literal_list(row)})")
    cur.close()
    return child, parent


def _count(conn: Any, query: str) -> int:
    cur = conn.cursor()
    cur.execute(f"select count(*) from ({query}) as q")
    (n,) = cur.fetchone()
    cur.close()
    return int(n)


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[tuple[Any, str, str]]:
    if request.param == "duckdb":
        import duckdb

        conn = duckdb.connect(":memory:")
        conn.execute('create schema "Odd Schema"')
        yield conn, "duckdb", "Odd Schema"
        conn.close()
        return
    require_postgres()
    import psycopg2

    schema = f"pef_test_{uuid.uuid4().hex[:8]} x"
    conn = psycopg2.connect(
        host=os.environ.get("DBT_HOST", "127.0.0.1"), port=int(os.environ.get("DBT_PORT", "5432")),
        user=os.environ.get("DBT_USER", "postgres"), dbname=os.environ.get("DBT_DATABASE", "postgres"),
    )  # fmt: skip
    conn.autocommit = True
    conn.cursor().execute(f"create schema {sql.quote_ident(schema, quote=True)}")
    try:
        yield conn, "postgres", schema
    finally:
        conn.cursor().execute(f"drop schema {sql.quote_ident(schema, quote=True)} cascade")
        conn.close()


def _run(conn: Any, spec: CheckSpec, child: str, parent: str) -> int:
    """The suite's query as validation runs it: relations rendered, then GX's own `{batch}` formatting."""
    quoting = dict.fromkeys(COLUMNS, True)
    gx_type, kwargs = catalog.gx_expectation(spec, quoting, key_columns=['we"ird col'])
    assert gx_type == catalog.UNEXPECTED_ROWS
    query = sql.render_relations(kwargs["unexpected_rows_query"], {"model.p.parent": parent}.__getitem__)
    # GX fills {batch} with the table (table asset) or an aliased subquery (query asset): both must work
    as_table = _count(conn, query.format(batch=child))
    as_query = _count(conn, query.format(batch=f"(select * from {child}) AS subselect"))
    assert as_table == as_query
    return as_table


def test_unexpected_rows_queries_with_untrusted_names_and_values(engine: tuple[Any, str, str]) -> None:
    conn, dialect, schema = engine
    child, parent = _create(conn, dialect, schema)
    node = "model.p.child"
    # relationships between two oddly named columns of oddly named tables: 99 has no parent
    rel = CheckSpec(node, "relationships", ('we"ird col',), {"to": "model.p.parent", "field": "ünïcödé id"})
    assert _run(conn, rel, child, parent) == 1
    # date bounds that are strings with SQL in them are literals, not SQL
    evil_range = CheckSpec(
        node, "accepted_range", ("CamelCase",), {"min_value": "2024-01-01", "max_value": EVIL}
    )
    with pytest.raises(Exception):  # noqa: B017 - the engine refuses to compare a date with that text
        _run(conn, evil_range, child, parent)
    if dialect == "postgres":
        conn.rollback() if not conn.autocommit else None
    ok_range = CheckSpec(
        node, "accepted_range", ("CamelCase",), {"min_value": "2024-01-01", "max_value": "2024-12-31"}
    )
    assert _run(conn, ok_range, child, parent) == 1  # 2025-01-01
    # a where filter and a reserved-word column
    rel_where = CheckSpec(node, "relationships", ('we"ird col',), {"to": "model.p.parent", "field": "ünïcödé id"},
                          where='"order" is not null')  # fmt: skip
    assert _run(conn, rel_where, child, parent) == 0
    recency = CheckSpec(node, "recency", ("CamelCase",), {"datepart": "day", "interval": 1})
    assert _run(conn, recency, child, parent) == 1  # newest 2025-01-01 is older than a day
    # the tables are all still there, with all their rows
    assert _count(conn, f"select * from {child}") == len(ROWS)
    assert _count(conn, f"select * from {parent}") == len(PARENT)


def test_accepted_values_with_quotes_and_sql_are_data(engine: tuple[Any, str, str]) -> None:
    """GX binds value_set itself; the dbt side is dbt's accepted_values. Here: the literals pef-gx writes."""
    conn, dialect, schema = engine
    child, _parent = _create(conn, dialect, schema)
    col = sql.quote_ident("Select", quote=True)
    values = sql.literal_list(["it's", EVIL, "plain"])
    assert _count(conn, f"select * from {child} where {col} is not null and {col} not in ({values})") == 0
    assert _count(conn, f"select * from {child}") == len(ROWS)


def test_profiling_queries_with_untrusted_names(engine: tuple[Any, str, str]) -> None:
    conn, dialect, schema = engine
    child, _parent = _create(conn, dialect, schema)
    columns = prof.columns_of(conn, dialect, schema, "child")
    assert [c for c, _ in columns] == list(COLUMNS)
    table = prof.profile_table(conn, dialect, child, columns, max_values=10)
    by_name = {c.name: c for c in table.columns}
    assert table.row_count == 4
    assert by_name['we"ird col'].distinct == 4 and by_name['we"ird col'].max == 99
    assert by_name["Select"].non_null == 3
    assert sorted(by_name["Select"].values or []) == sorted(["it's", EVIL, "plain"])
    assert by_name["order"].non_null == 3
    assert str(by_name["CamelCase"].min) == "2024-01-01"
    assert _count(conn, f"select * from {child}") == len(ROWS)


def test_relation_placeholders_are_strict() -> None:
    with pytest.raises(ValueError):
        sql.ref("model.p.x} or 1=1 {")
    query = "select 1 from {batch} where x = '{{ref:model.p.y}}' and y in (select 1 from {ref:model.p.y})"
    rendered = sql.render_relations(query, lambda uid: '"s"."we{ir}d"')
    # the escaped literal is left alone; braces in the resolved name are escaped for GX's str.format
    assert (
        rendered.format(batch="t")
        == 'select 1 from t where x = \'{ref:model.p.y}\' and y in (select 1 from "s"."we{ir}d")'
    )
