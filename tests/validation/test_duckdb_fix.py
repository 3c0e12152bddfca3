"""The DuckDB fix for GX (pef_gx/validation/duckdb_fix.py) and the GX internals it relies on.

These fail loudly when a GX upgrade changes what the patch touches, or when upstream fixes the defects
(then the patch, and this file, can go).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pef_gx.errors import ConfigError

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def duck_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("duck") / "fix.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table orders as select * from (values "
        "(1, 1, 'shipped', 3), (2, 1, 'completed', 5), (3, 2, 'shipped', 7), (4, 2, 'returned', null), "
        "(5, 3, 'placed', 250)) t(order_id, line, status, qty)"
    )
    con.close()
    return path


def test_version_guard() -> None:
    from pef_gx.validation import duckdb_fix

    duckdb_fix.check_gx_version()  # the installed (pinned) GX is one the fix was written for
    with pytest.raises(ConfigError, match=r"written for GX 1\.24"):
        duckdb_fix.check_gx_version("1.25.0")
    with pytest.raises(ConfigError):
        duckdb_fix.check_gx_version("2.0.0")


def test_gx_internals_the_fix_relies_on_are_unchanged() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module
    from great_expectations.expectations.metrics import util

    engine = engine_module.SqlAlchemyExecutionEngine
    for name in (
        "execute_query",
        "execute_query_in_transaction",
        "get_connection",
        "_execute_query_with_recovery",
    ):
        assert hasattr(engine, name), f"GX moved SqlAlchemyExecutionEngine.{name}: re-verify duckdb_fix.py"
    assert "duckdb" not in [str(d.value) for d in engine_module._PERSISTED_CONNECTION_DIALECTS]
    source = inspect.getsource(engine.execute_query)
    assert "with self.get_connection() as connection" in source and "return result" in source
    regex_source = inspect.getsource(util.get_dialect_regex_expression)
    assert "issubclass(dialect.dialect, sa.dialects.postgresql.dialect)" in regex_source
    assert 'custom_op("~")' in regex_source


def test_unpatched_gx_still_fails_on_duckdb(duck_file: Path) -> None:
    """Upstream's defects are still there; when this fails, GX fixed them: remove duckdb_fix.py."""
    script = textwrap.dedent(
        f"""
        import great_expectations as gx, great_expectations.expectations as gxe
        ctx = gx.get_context(mode="ephemeral")
        ds = ctx.data_sources.add_sql("d", connection_string="duckdb:///{duck_file}")
        batch = ds.add_table_asset("o", table_name="orders").add_batch_definition_whole_table("w").get_batch()
        suite = gx.ExpectationSuite("s", expectations=[gxe.ExpectColumnValuesToNotBeNull(column="order_id"),
                                                     gxe.ExpectColumnValuesToMatchRegex(column="status", regex="ship")])
        result = batch.validate(suite)
        print("RESULT", [r.success for r in result.results])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "RESULT [False, False]" in proc.stdout, (
        "GX now validates DuckDB without pef-gx's patch: remove pef_gx/validation/duckdb_fix.py\n"
        + proc.stdout
    )


def test_patched_gx_validates_duckdb_with_the_right_semantics(duck_file: Path) -> None:
    from pef_gx.validation import duckdb_fix
    from pef_gx.validation.context import quiet_gx

    quiet_gx()
    duckdb_fix.apply()
    duckdb_fix.apply()  # idempotent
    assert duckdb_fix.is_applied()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_sql(
        "d", connection_string=f"duckdb:///{duck_file}", kwargs={"connect_args": {"read_only": True}}
    )
    batch = ds.add_table_asset("o", table_name="orders").add_batch_definition_whole_table("w").get_batch()
    suite = gx.ExpectationSuite(
        "s",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="order_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="qty"),
            gxe.ExpectColumnValuesToBeBetween(column="qty", min_value=1, max_value=100),
            # regex is a search (as in GX on pandas and PostgreSQL), not DuckDB's full match `~`
            gxe.ExpectColumnValuesToMatchRegex(column="status", regex="ship|comp|ret|plac"),
            gxe.ExpectColumnValuesToMatchRegex(column="status", regex="^s"),
            gxe.ExpectColumnValuesToNotMatchRegex(column="status", regex="turn"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["order_id", "line"]),
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query="select order_id from {batch} where qty > 100"
            ),
            # type names resolve as without the patch (top-level SQLAlchemy types)
            gxe.ExpectColumnValuesToBeInTypeList(column="status", type_list=["VARCHAR", "TEXT", "String"]),
            gxe.ExpectColumnValuesToBeInTypeList(column="qty", type_list=["VARCHAR", "String"]),
        ],
    )
    result = batch.validate(suite, result_format={"result_format": "BASIC", "partial_unexpected_count": 5})
    assert all(not (r.exception_info or {}).get("raised_exception") for r in result.results)

    def key(config) -> str:  # GX does not keep the suite's order in the results
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        return f"{config.type} {sorted(kwargs.items())}"

    outcome = {
        key(r.expectation_config): (
            r.success,
            r.result.get("unexpected_count", r.result.get("observed_value")),
        )
        for r in result.results
    }
    expected = [
        (True, 0),
        (False, 1),
        (False, 1),
        (True, 0),
        (False, 3),
        (False, 1),
        (True, 0),
        (False, 1),
        (True, "String"),
        (False, "Integer"),
    ]
    assert [outcome[key(e.configuration)] for e in suite.expectations] == expected
    engine = ds.get_execution_engine()
    assert engine.dialect_module is not None and engine.dialect_module.dialect.name == "duckdb"
    ds.get_engine().dispose()
