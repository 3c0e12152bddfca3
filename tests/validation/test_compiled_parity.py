"""The compiled engine gives GX's own verdicts and numbers, on DuckDB and on PostgreSQL.

Property-based: hypothesis draws tables (NULLs, duplicates, empty tables, boundary values, NaN, unicode,
quotes, mixed-case and quoted column names, timestamps with and without time zone) and a suite with every
expectation type the compiler knows, with drawn options (`mostly`, strict bounds, ignore_row_if, a dbt
`where:`). For every check, the compiled result and GX's own run of the same suite (result format
SUMMARY, GX's default) must agree on success, element count, unexpected count and percent, missing count
and observed value. A `where:` check is compared with GX on a query asset filtered by it (how pef-gx's GX
path runs it). Documented exceptions: EXCEPTIONS (each with its reason).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pef_gx.artifacts.profiles import Target
from pef_gx.validation import compiled_engine, compiler
from pef_gx.validation.suites import load_suite
from tests.conftest import drop_schema, require_postgres

pytestmark = [pytest.mark.integration]

EXAMPLES = int(os.environ.get("PEF_PARITY_EXAMPLES", "25"))
# expectation type -> why it is not compared with GX
EXCEPTIONS: dict[str, str] = {
    compiler.QUERY_TIME: "pef-gx's own expectation: it measures time (two runs never agree); "
    "tests/custom_tests cover it on both engines",
}
WEIRD = "Wéird Col"  # GX 1.24 cannot run unique on a name with a `"` in it (its condition parser fails)
COLUMNS = {  # name -> (DuckDB type, PostgreSQL type)
    "id": ("INTEGER", "INTEGER"),
    "Amount": ("DOUBLE", "DOUBLE PRECISION"),
    "name": ("VARCHAR", "TEXT"),
    WEIRD: ("VARCHAR", "TEXT"),
    "ts": ("TIMESTAMP", "TIMESTAMP"),
    "tstz": ("TIMESTAMPTZ", "TIMESTAMPTZ"),
    "Qty": ("SMALLINT", "SMALLINT"),  # with "id": an integer compound key (PostgreSQL packs it in a bigint)
}
NAMES = ["alpha", "Beta", "", "ünïcode", "it's", 'say "hi"', "a1", "b22", "ALPHA", "日本"]
CATEGORIES = ["x", "y", "Z", "x y"]
BASE = dt.datetime(2024, 1, 1)

ints = st.one_of(st.none(), st.integers(-3, 6), st.sampled_from([0, -(2**31), 2**31 - 1]))
floats = st.one_of(
    st.none(), st.sampled_from([0.0, -1.5, 2.5, 10.0, 1e12, float("nan")]), st.integers(-5, 5).map(float)
)
texts = st.one_of(st.none(), st.sampled_from(NAMES))
cats = st.one_of(st.none(), st.sampled_from(CATEGORIES))
stamps = st.one_of(st.none(), st.integers(0, 10).map(lambda d: BASE + dt.timedelta(days=d, hours=d)))
smallints = st.one_of(st.none(), st.integers(-2, 3), st.sampled_from([-(2**15), 2**15 - 1]))
rows = st.lists(st.tuples(ints, floats, texts, cats, stamps, stamps, smallints), max_size=25)


@st.composite
def expectations(draw: Any) -> list[dict[str, Any]]:
    mostly = st.sampled_from([None, None, 0.5, 0.8, 1.0])
    number = st.sampled_from([-(2**31), -2, 0, 1, 2.5, 3, 6, 2**31 - 1])
    regexes = st.sampled_from(["^a", "[0-9]", "^$", "ü", "^[A-Z]", "i'", '"', "^x y$"])

    def where() -> str | None:
        return draw(st.sampled_from([None, None, None, '"id" > 1', "\"name\" <> 'alpha'"]))

    def e(gx: str, **kwargs: Any) -> dict[str, Any]:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        w = where() if gx not in (compiler.ROW_COUNT_EQUAL, "unexpected_rows_expectation") else None
        meta = {"pef_gx": {"check_id": uuid.uuid4().hex[:16], "where": w}} if w else {}
        return {"type": gx, "kwargs": kwargs, "meta": meta}

    out = []
    for column in COLUMNS:
        out.append(e(compiler.NOT_NULL, column=column, mostly=draw(mostly)))
    for column in ("id", "name", WEIRD, "ts", "Amount"):
        out.append(e(compiler.UNIQUE, column=column, mostly=draw(mostly)))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    out.append(e(compiler.IN_SET, column="name", value_set=names, mostly=draw(mostly)))
    out.append(e(compiler.NOT_IN_SET, column=WEIRD, value_set=draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True))))  # fmt: skip
    out.append(e(compiler.IN_SET, column="id", value_set=draw(st.lists(st.integers(-3, 6), min_size=1, max_size=5, unique=True))))  # fmt: skip
    for column in ("id", "Amount"):
        low, high = draw(st.one_of(st.none(), number)), draw(st.one_of(st.none(), number))
        if low is None and high is None:
            low = 0
        if low is not None and high is not None and low > high:
            low, high = high, low
        out.append(e(compiler.BETWEEN, column=column, min_value=low, max_value=high, strict_min=draw(st.booleans()), strict_max=draw(st.booleans()), mostly=draw(mostly)))  # fmt: skip
    out.append(e(compiler.REGEX, column="name", regex=draw(regexes), mostly=draw(mostly)))
    out.append(e(compiler.NOT_REGEX, column=WEIRD, regex=draw(regexes)))
    ignore = draw(st.sampled_from(["all_values_are_missing", "any_value_is_missing", "never"]))
    out.append(e(compiler.COMPOUND_UNIQUE, column_list=["id", WEIRD], ignore_row_if=ignore, mostly=draw(mostly)))  # fmt: skip
    ignore = draw(st.sampled_from(["all_values_are_missing", "any_value_is_missing", "never"]))
    out.append(e(compiler.COMPOUND_UNIQUE, column_list=["Qty", "id"], ignore_row_if=ignore, mostly=draw(mostly)))  # fmt: skip
    share_low = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    out.append(e(compiler.NON_NULL_SHARE, column="Amount", min_value=share_low, max_value=1.0))
    count_low, count_high = sorted(draw(st.tuples(st.integers(0, 25), st.integers(0, 25))))
    out.append(e(compiler.ROW_COUNT_BETWEEN, min_value=count_low, max_value=count_high))
    out.append(e(compiler.ROW_COUNT_EQUAL, value=draw(st.integers(0, 25))))
    query = draw(st.sampled_from([
        'select * from {batch} where "id" > 3',
        'select "name" from {batch} where "name" like \'%a%\'',
        'select "id" from {batch} where "id" is not null group by "id" having count(*) > 1',
    ]))  # fmt: skip
    out.append(e("unexpected_rows_expectation", unexpected_rows_query=query))
    return out


# --- the two engines under test --------------------------------------------------------------------


class Warehouse:
    def __init__(self, engine: str, tmp: Path) -> None:
        self.engine = engine
        self.table = "t_" + uuid.uuid4().hex[:8]
        if engine == "duckdb":
            self.path = tmp / f"{self.table}.duckdb"
            self.schema = "main"
            self.target = Target(name="d", type="duckdb", schema="main", path=self.path, threads=1)
        else:
            self.schema = "pef_parity_" + uuid.uuid4().hex[:8]
            self.target = Target(
                name="p", type="postgres", schema=self.schema, host="127.0.0.1", port=5432,
                user="postgres", database="postgres", threads=1,
            )  # fmt: skip

    def write(self, data: list[tuple]) -> None:
        from pef_gx.warehouse.connection import connect

        col = 0 if self.engine == "duckdb" else 1
        ddl = ", ".join(f'"{n.replace(chr(34), chr(34) * 2)}" {t[col]}' for n, t in COLUMNS.items())
        conn = connect(self.target)
        cur = conn.cursor()
        if self.engine == "postgres":
            cur.execute(f'create schema if not exists "{self.schema}"')
        cur.execute(f'drop table if exists "{self.schema}"."{self.table}"')
        cur.execute(f'create table "{self.schema}"."{self.table}" ({ddl})')
        marks = ", ".join(["?" if self.engine == "duckdb" else "%s"] * len(COLUMNS))
        utc = dt.timezone.utc
        values = [(*r[:5], r[5].replace(tzinfo=utc) if r[5] else None, *r[6:]) for r in data]
        if values:
            cur.executemany(f'insert into "{self.schema}"."{self.table}" values ({marks})', values)
        conn.close()

    def drop(self) -> None:
        if self.engine == "postgres":
            drop_schema(self.schema)
        else:
            self.path.unlink(missing_ok=True)


def gx_results(wh: Warehouse, suite_json: dict[str, Any]) -> dict[int, Any]:
    """GX's own run of each expectation, result format SUMMARY; a `where:` on a query asset filtered by it."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from pef_gx.validation.context import connection_string, engine_kwargs

    if wh.engine == "duckdb":
        from pef_gx.validation import duckdb_fix

        duckdb_fix.apply()
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(
        name="s", connection_string=connection_string(wh.target), kwargs=engine_kwargs(wh.target)
    )
    relation = f'"{wh.schema}"."{wh.table}"'
    out: dict[int, Any] = {}
    try:
        groups: dict[str | None, list[int]] = {}
        for i, raw in enumerate(suite_json["expectations"]):
            groups.setdefault((raw.get("meta") or {}).get("pef_gx", {}).get("where"), []).append(i)
        for n, (where, indexes) in enumerate(groups.items()):
            if where is None:
                asset = source.add_table_asset(name=f"a{n}", table_name=wh.table, schema_name=wh.schema)
            else:
                asset = source.add_query_asset(name=f"a{n}", query=f"select * from {relation} where {where}")
            batch = asset.add_batch_definition_whole_table("all").get_batch()
            configs = [
                ExpectationConfiguration(type=suite_json["expectations"][i]["type"],
                                         kwargs=suite_json["expectations"][i]["kwargs"], meta={"i": i})
                for i in indexes
            ]  # fmt: skip
            suite = gx.ExpectationSuite(name=f"s{n}", expectations=[c.to_domain_obj() for c in configs])
            for result in batch.validate(suite, result_format="SUMMARY").results:
                out[result.expectation_config.meta["i"]] = result
    finally:
        source.get_engine().dispose()
    return out


def compiled_results(
    wh: Warehouse,
    suite_path: Path,
    row_estimate: int | None = None,
    side_by_side: bool = False,
    rows: int | None = None,
) -> dict[int, Any]:
    from pef_gx.warehouse.connection import connect

    def spare(job: Any) -> Any:  # another connection, as the checkpoint lends one
        other = connect(wh.target, read_only=True)
        try:
            return job(other)
        finally:
            other.close()

    suite = load_suite(suite_path)
    conn = connect(wh.target, read_only=True)
    try:
        run = compiled_engine.run_table(
            conn, wh.target, suite, suite.checks, wh.schema, wh.table, None, lambda r: r, 5,
            row_estimate=row_estimate, spare=spare if side_by_side else None,
        )  # fmt: skip
    finally:
        conn.close()
    assert not run.leftovers, [c.gx_type for c in run.leftovers]
    assert rows is None or run.row_count == rows  # the relation's row count (volume history) too
    return run.results


FIELDS = ("element_count", "unexpected_count", "unexpected_percent", "missing_count", "observed_value")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def compare(wh: Warehouse, data: list[tuple], suite_json: dict[str, Any], tmp: Path) -> None:
    path = tmp / f"{wh.table}.json"
    path.write_text(json.dumps(suite_json))
    # a catalog row count makes small DuckDB tables check uniqueness by a distinct count first: both ways
    # and PostgreSQL runs a table's statements side by side on other connections (fewer tables than threads)
    even = len(data) % 2 == 0
    ours = compiled_results(
        wh, path, row_estimate=len(data) if even else None, side_by_side=even, rows=len(data)
    )
    theirs = gx_results(wh, suite_json)
    problems = []
    for i, raw in enumerate(suite_json["expectations"]):
        mine, gx = ours[i], theirs[i]
        if raw["type"] in EXCEPTIONS:
            continue
        assert not mine.exception_info, (raw, mine.exception_info)
        gx_error = any(
            (v or {}).get("raised_exception")
            for v in (gx.exception_info or {}).values()
            if isinstance(v, dict)
        ) or (gx.exception_info or {}).get("raised_exception")
        assert not gx_error, (raw, gx.exception_info)
        if mine.success != gx.success:
            problems.append((raw, "success", mine.success, gx.success))
        gx_result = dict(gx.result or {})
        for name in FIELDS:
            if name in gx_result and not same(mine.result.get(name), gx_result[name]):
                problems.append((raw, name, mine.result.get(name), gx_result[name]))
    assert not problems, f"{wh.engine}: {len(data)} rows; differences: {problems[:5]}"


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_compiled_equals_gx(engine: str, tmp_path: Path) -> None:
    if engine == "postgres":
        require_postgres()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=rows, suite=expectations())
    def check(data: list[tuple], suite: list[dict[str, Any]]) -> None:
        wh = Warehouse(engine, tmp_path)
        try:
            wh.write(data)
            compare(wh, data, {"name": wh.table, "expectations": suite}, tmp_path)
        finally:
            wh.drop()

    check()


def test_compiled_types_are_covered() -> None:
    """Every type the compiler knows is drawn by the property test above (a new one needs a strategy)."""
    drawn = {e["type"] for e in expectations().example()}
    assert drawn == set(compiler.COMPILED_TYPES) - set(EXCEPTIONS)


def test_a_check_whose_sql_fails_errors_alone(tmp_path: Path) -> None:
    """A bound the column's type cannot take fails that check's part of the scan: the check is an error
    with the warehouse's reason, the other checks of the table still get their numbers."""
    import duckdb

    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select * from (values ('a', 1), ('b', null)) v(revenue, n)")
    con.close()
    suite = {
        "name": "t",
        "expectations": [
            {"type": compiler.BETWEEN, "kwargs": {"column": "revenue", "min_value": 0, "max_value": 9}},
            {"type": compiler.NOT_NULL, "kwargs": {"column": "n"}},
            {"type": compiler.UNIQUE, "kwargs": {"column": "revenue"}},
        ],
    }
    (tmp_path / "t.json").write_text(json.dumps(suite))
    wh = Warehouse("duckdb", tmp_path)
    wh.path, wh.table, wh.target = path, "t", Target(name="d", type="duckdb", schema="main", path=path)
    results = compiled_results(wh, tmp_path / "t.json")
    assert results[0].exception_info and results[0].exception_info["raised_exception"]
    assert (results[1].success, results[1].result["unexpected_count"]) == (False, 1)
    assert (results[2].success, results[2].result["unexpected_count"]) == (True, 0)


def test_duckdb_runs_under_a_memory_budget_and_lifts_it_when_a_statement_needs_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoint's DuckDB connections get pef-gx's small memory limit (DuckDB spills the uniqueness
    work instead of growing with the table) unless the profile sets one; a statement that cannot run under
    it runs again under DuckDB's own limit, with the same numbers."""
    import duckdb

    from pef_gx.warehouse import connection

    path = tmp_path / "t.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select md5((range % 199999)::varchar) as s, range as n from range(200000)")
    default_limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.close()
    suite = {
        "name": "t",
        "expectations": [
            {"type": compiler.UNIQUE, "kwargs": {"column": "s"}},
            {"type": compiler.COMPOUND_UNIQUE, "kwargs": {"column_list": ["s", "n"]}},
            {"type": compiler.NOT_NULL, "kwargs": {"column": "s"}},
        ],
    }
    (tmp_path / "t.json").write_text(json.dumps(suite))
    target = Target(name="d", type="duckdb", schema="main", path=path)

    def limit(conn: Any) -> str:
        return str(conn.execute("select current_setting('memory_limit')").fetchone()[0])

    def run(conn: Any) -> dict[int, Any]:
        checks = load_suite(tmp_path / "t.json")
        got = compiled_engine.run_table(
            conn, target, checks, checks.checks, "main", "t", None, lambda r: r, 5
        )
        return got.results

    conn = connection.connect(target, read_only=True, memory_budget=True)
    try:
        assert limit(conn) != default_limit  # pef-gx's budget
    finally:
        conn.close()
    own = Target(
        name="d", type="duckdb", schema="main", path=path, extra={"settings": {"memory_limit": "1GB"}}
    )
    conn = connection.connect(own, read_only=True, memory_budget=True)
    try:
        assert limit(conn).replace(" ", "") in ("1.0GiB", "953.6MiB")  # the profile's, as set
    finally:
        conn.close()
    monkeypatch.setattr(connection, "VALIDATION_MEMORY_LIMIT", "1MB")  # nothing runs under 1MB
    conn = connection.connect(target, read_only=True, memory_budget=True)
    try:
        assert limit(conn).replace(" ", "") in ("976.5KiB", "1.0MiB")
        results = run(conn)
        assert (
            limit(conn).split(".")[0] == default_limit.split(".")[0]
        )  # DuckDB's own, for the rest of the run
    finally:
        conn.close()
    assert all(not r.exception_info for r in results.values()), [r.exception_info for r in results.values()]
    # 199,999 distinct strings in 200,000 rows: one value twice, as GX counts it (both rows unexpected)
    assert [(r.success, r.result["unexpected_count"]) for r in results.values()] == [
        (False, 2), (True, 0), (True, 0)
    ]  # fmt: skip
