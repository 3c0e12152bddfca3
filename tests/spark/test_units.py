"""Spark SQL spelling without a JVM: backtick identifiers, backslash-escaped literals, rlike."""

from __future__ import annotations

import pytest

from pef_gx.observability.relations import _relation_sql
from pef_gx.warehouse.sql import ident, literal, regex_match, relation

pytestmark = pytest.mark.spark


def test_identifiers_take_backticks_and_double_embedded_ones() -> None:
    assert ident("spark", "order") == "`order`"
    assert ident("spark", "we`ird") == "`we``ird`"
    assert relation("spark", "pef_shop", "Sales") == "`pef_shop`.`Sales`"
    assert relation("duckdb", "main", "sales") == '"main"."sales"'  # the other dialects are unchanged


def test_string_literals_escape_backslash_and_quote_the_way_spark_reads_them() -> None:
    assert literal("spark", r"^\d+$") == r"'^\\d+$'"
    assert literal("spark", "it's") == r"'it\'s'"
    assert literal("postgres", r"it's \d") == r"'it''s \d'"
    assert literal("spark", 3) == "3"


def test_regex_match_is_rlike_on_spark() -> None:
    assert regex_match("spark", "`email`", r"^\S+@\S+$") == r"(`email` rlike '^\\S+@\\S+$')"


def test_relation_stats_query_quotes_for_spark() -> None:
    assert _relation_sql("s", "t", "updated_at", "spark") == (
        "select count(*), cast(max(`updated_at`) as string) from `s`.`t`"
    )


def test_a_token_in_the_connect_url_is_never_shown(tmp_path) -> None:
    from pef_gx.artifacts.profiles import Target

    target = Target(
        "dbx",
        "spark",
        "analytics",
        host="adb-1.azuredatabricks.net",
        port=443,
        extra={"method": "http", "connect_url": "sc://adb-1.azuredatabricks.net:443/;token=dapiSECRET"},
    )
    assert "SECRET" not in target.describe()
    assert (
        target.describe()
        == "spark http adb-1.azuredatabricks.net:443 via sc://adb-1.azuredatabricks.net:443 (schema analytics)"
    )


def test_the_spark_jvms_routine_log_lines_are_not_dbt_errors() -> None:
    from pef_gx.runner.dbt_cli import DbtInvocation, _handle_line

    invocation = DbtInvocation(args=[], returncode=0)
    for line in (
        "26/12/01 08:10:52 WARN CharVarcharUtils: The Spark cast operator does not support char/varchar type\n",
        "Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties\n",
        "26/12/01 08:10:53 ERROR Executor: Exception in task 0.0\n",
    ):
        _handle_line(line, invocation, None)
    assert invocation.errors == ["26/12/01 08:10:53 ERROR Executor: Exception in task 0.0"]
