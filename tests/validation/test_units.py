"""Fast tests of the pure parts: thresholds, the offline rewrite of Data Docs pages, the results writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pef_gx.errors import SuiteError
from pef_gx.results.model import CheckResult, ValidationRun
from pef_gx.results.writer import read_latest, write_run
from pef_gx.validation.docs import MARKER, offline_html, remote_references
from pef_gx.validation.suites import Check
from pef_gx.validation.thresholds import meets, parse_condition, verdict


@pytest.mark.parametrize(
    "failures,severity,warn_if,error_if,expected",
    [
        (0, "error", "!=0", "!=0", "pass"),
        (1, "error", "!=0", "!=0", "fail"),
        (1, "warn", "!=0", "!=0", "warn"),
        (4, "error", ">0", ">10", "warn"),
        (11, "error", ">0", ">10", "fail"),
        (4, "error", ">5", ">10", "pass"),
        (11, "warn", ">0", ">10", "warn"),  # severity warn never fails
        (3, "error", ">=3", "= 3", "fail"),
        (2, "error", "<> 2", "== 5", "pass"),
    ],
)
def test_verdict_follows_dbt(
    failures: int, severity: str, warn_if: str, error_if: str, expected: str
) -> None:
    assert verdict(failures, severity, warn_if, error_if) == expected


def test_bad_threshold_is_a_suite_error() -> None:
    assert parse_condition(" >= 10 ") == (">=", 10)
    assert meets(0, None) is False
    with pytest.raises(SuiteError, match=r"in suites/x\.json"):
        parse_condition("more than ten", "suites/x.json")


def test_offline_rewrite_removes_every_remote_resource() -> None:
    page = (
        "<html><head><title>t</title>"
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        '<script src="https://x/y.js" integrity="sha384-abc" crossorigin="anonymous"></script>'
        '<link rel="shortcut icon" href="../static/images/favicon.ico"/>'
        '</head><body><img class="NO-CACHE" src="https://great-expectations-web-assets.s3/logo.png" alt="GX"/>'
        '<a href="https://greatexpectations.io">GX</a></body></html>'
    )
    assert len(remote_references(page)) == 4
    out = offline_html(page)
    assert remote_references(out) == []
    assert MARKER in out and "window.$ = window.jQuery" in out
    assert 'href="../static/images/favicon.ico"' in out  # local resources stay
    assert 'href="https://greatexpectations.io"' in out  # a hyperlink loads nothing
    assert out.index(MARKER) < out.index("<title>")  # the shim runs before any page script


def _run(run_id: str) -> ValidationRun:
    check = CheckResult(
        check_id="c1", suite="s", node_id="model.p.m", node_name="m", columns=("a",), kind="not_null",
        expectation_type="expect_column_values_to_not_be_null", origin_type="dbt_test", origin_ref="test.p.t",
        dimension="completeness", severity="error", level="row", status="fail", element_count=10,
        unexpected_count=2, unexpected_percent=20.0, unexpected_values=(None, None),
    )  # fmt: skip
    return ValidationRun(
        run_id=run_id, project="p", target_name="duckdb", target_type="duckdb", schema="main",
        command="checkpoint", started_at="2026-01-01T00:00:00+00:00", finished_at="2026-01-01T00:00:01+00:00",
        elapsed_s=1.0, checks=[check],
    )  # fmt: skip


def test_results_writer_one_file_per_run_plus_latest(tmp_path: Path) -> None:
    first = write_run(_run("r1"), tmp_path)
    second = write_run(_run("r2"), tmp_path)
    folder = tmp_path / ".pef-gx" / "results"
    assert sorted(p.name for p in folder.iterdir()) == ["latest.json", "r1.json", "r2.json"]
    assert json.loads(second.read_text()) == json.loads((folder / "latest.json").read_text())
    assert json.loads(first.read_text())["run_id"] == "r1"
    latest = read_latest(tmp_path)
    assert latest.run_id == "r2" and latest.checks[0].unexpected_count == 2
    assert latest.failed_errors and latest.checks[0].columns == ("a",)
    data = json.loads(second.read_text())
    assert data["schema_version"] == 1 and data["checks"][0]["success"] is False


def test_results_writer_leaves_no_half_written_file(tmp_path: Path) -> None:
    write_run(_run("r1"), tmp_path)
    folder = tmp_path / ".pef-gx" / "results"
    before = (folder / "latest.json").read_text()
    broken = _run("r2")
    broken.checks = [object()]  # type: ignore[list-item]  # to_dict fails half-way
    with pytest.raises(AttributeError):
        write_run(broken, tmp_path)
    assert (folder / "latest.json").read_text() == before
    assert sorted(p.name for p in folder.iterdir()) == ["latest.json", "r1.json"]


def test_hand_written_expectations_without_pef_gx_meta(tmp_path: Path) -> None:
    from pef_gx.validation.suites import load_suite

    path = tmp_path / "orders.json"
    path.write_text(
        json.dumps(
            {
                "name": "orders",
                "expectations": [
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
                    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "email", "regex": "@"},
                     "severity": "warning"},
                    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
                ],
            }
        )
    )  # fmt: skip
    suite = load_suite(path)
    first, second, third = suite.checks
    assert (first.kind, first.dimension, first.severity, first.origin_type) == (
        "not_null", "completeness", "error", "hand_written"
    )  # fmt: skip
    assert first.columns == ("id",) and second.columns == ("email",)
    assert (second.kind, second.severity) == ("match_regex", "warn")
    assert third.level == "table"
    assert load_suite(path).checks[0].check_id == first.check_id  # stable across reads
    assert len({c.check_id for c in suite.checks}) == 3


def test_suite_file_errors_name_the_file(tmp_path: Path) -> None:
    from pef_gx.validation.suites import load_suite

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(SuiteError, match=r"broken\.json"):
        load_suite(broken)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(
        json.dumps({"expectations": [{"type": "expect_column_values_to_be_unqiue", "kwargs": {}}]})
    )
    with pytest.raises(SuiteError, match=r"unknown\.json") as caught:
        load_suite(unknown)
    assert "did you mean 'expect_column_values_to_be_unique'" in str(caught.value)


def test_types_known_without_gx_are_gx_types() -> None:
    """The suite reader's list of types it knows without importing GX: every one is registered by GX (or
    pef-gx), and every type the compiler runs is on it (so a compiled-only run never imports GX)."""
    from pef_gx.validation import compiler, suites

    assert suites._known_types() >= suites._WITHOUT_GX
    assert compiler.COMPILED_TYPES <= suites._WITHOUT_GX


def _type_check(gx_type: str, kwargs: dict) -> Check:
    return Check(
        "s", 0, gx_type, kwargs, {"type": gx_type, "kwargs": kwargs}, "id", "data_type", None, ("c",),
        "constraint", None, "validity", "error", "table", None, "", "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("declared", "actual", "passes"),
    [
        ("bigint", "int", True),  # an Integer, as GX's type classes say on DuckDB
        ("int", "bigint", True),
        ("varchar(100)", "string", True),
        ("varchar(100)", "varchar(100)", True),
        ("decimal(18,2)", "decimal(18,2)", True),
        ("decimal(18,2)", "double", False),  # another kind of number
        ("int", "double", False),
        ("int", "string", False),
        ("date", "timestamp", False),
        ("timestamp", "timestamp_ntz", True),
        ("int", "array<int>", False),  # only the declared type for arrays, structs, maps
        ("boolean", "boolean", True),
    ],
)
def test_type_list_from_the_catalog(declared: str, actual: str, passes: bool) -> None:
    """Where GX is not connected (Spark), the type checks are read from the catalog's type names."""
    from pef_gx.checks.catalog import type_names
    from pef_gx.validation import column_types, compiler

    check = _type_check(compiler.TYPE_LIST, {"column": "c", "type_list": type_names(declared)})
    success, result = column_types.verdict(check, {"C": actual})
    assert (success, result["observed_value"]) == (passes, actual)


def test_type_family_and_missing_column_from_the_catalog() -> None:
    from pef_gx.validation import column_types, compiler

    family = _type_check(compiler.TYPE_FAMILY, {"column": "c", "family": "numeric"})
    assert column_types.verdict(family, {"c": "decimal(10,2)"})[0]
    assert not column_types.verdict(family, {"c": "string"})[0]
    assert column_types.verdict(family, {"d": "int"}) == (False, {"observed_value": "no such column"})
    assert compiler.compiles(family, schema_checks=True) and not compiler.compiles(family)


def test_offline_rewrite_reads_only_the_pages_it_is_given(tmp_path: Path) -> None:
    """The Data Docs keep every run's pages: a run rewrites its own, never rereads the whole history."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from pef_gx.validation.docs import make_offline, page_of

    page = '<html><head><link href="https://cdn.example/x.css"></head><body></body></html>'
    suite = ExpectationSuiteIdentifier(name="shop.orders")
    key = ValidationResultIdentifier(suite, RunIdentifier("run-1", "2026-12-01T10:00:00Z"), "main.orders")
    new, old = page_of(tmp_path, key), tmp_path / "validations" / "old.html"
    assert new.relative_to(tmp_path).parts == (
        "validations", "shop", "orders", "run-1", "20261201T100000.000000Z", "main.orders.html",
    )  # fmt: skip
    for path in (new, old, page_of(tmp_path, suite)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page)
    assert page_of(tmp_path, suite) == tmp_path / "expectations" / "shop" / "orders.html"
    assert make_offline(tmp_path, [new, tmp_path / "gone.html"]) == 1
    assert MARKER in new.read_text() and MARKER not in old.read_text()
    assert make_offline(tmp_path) == 2  # the whole site: the two pages not rewritten yet
    assert make_offline(tmp_path) == 0


def test_duckdb_profile_settings_apply_to_pef_gx_connection(tmp_path: Path) -> None:
    """dbt-duckdb's `settings:` (a memory limit, say) bind pef-gx's reads as they bind dbt's writes."""
    import duckdb

    from pef_gx.artifacts.profiles import Target
    from pef_gx.errors import DatabaseError
    from pef_gx.warehouse.connection import connect

    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()

    def target(settings: object) -> Target:
        return Target(name="d", type="duckdb", schema="main", path=path, extra={"settings": settings})

    conn = connect(target({"memory_limit": "64MB", "threads": 1}), read_only=True)
    try:
        got = conn.execute("select current_setting('memory_limit'), current_setting('threads')").fetchone()
        assert got[1] == 1 and got[0].replace(" ", "").lower() in ("64.0mib", "61.0mib", "64mb")
    finally:
        conn.close()
    for bad, says in (({"memory_limit": "lots"}, "memory_limit"), ({"x; drop": 1}, "not a DuckDB setting"),
                      (["memory_limit"], "must be a mapping")):  # fmt: skip
        with pytest.raises(DatabaseError, match=says):
            connect(target(bad), read_only=True)


def test_small_tables_count_keys_postgresql_compares_fast() -> None:
    """The distinct-count precheck of uniqueness on PostgreSQL 14+: integer keys packed into a bigint,
    text and mixed keys hashed with the columns' own hash functions (parity with GX: test_compiled_parity),
    numbers and dates counted as they are, and any type without a known hash left as a row value."""
    from pef_gx.validation import compiler

    def check(index: int, gx_type: str, kwargs: dict) -> Check:
        c = _type_check(gx_type, kwargs)
        return Check(**{**c.__dict__, "index": index, "columns": tuple(kwargs.get("column_list", [kwargs.get("column")]))})  # fmt: skip

    types = {"id": "integer", "qty": "smallint", "name": "text", "code": "character varying",
             "tag": "USER-DEFINED", "amount": "numeric", "day": "date"}  # fmt: skip
    checks = [
        check(0, compiler.UNIQUE, {"column": "name"}),
        check(1, compiler.UNIQUE, {"column": "code"}),
        check(2, compiler.UNIQUE, {"column": "id"}),
        check(3, compiler.UNIQUE, {"column": "tag"}),  # citext, say: its equality is not the text's
        check(4, compiler.COMPOUND_UNIQUE, {"column_list": ["qty", "id"]}),
        check(5, compiler.COMPOUND_UNIQUE, {"column_list": ["id", "name", "day", "amount"]}),
        check(6, compiler.COMPOUND_UNIQUE, {"column_list": ["id", "tag"]}),
    ]

    def scan(hash_keys: bool) -> dict[str, str]:
        plan = compiler.compile_table(
            checks, "s", "t", None, "postgres", lambda q: q, column_types=types, row_estimate=10,
            hash_keys=hash_keys,
        )  # fmt: skip
        parts = plan.scan.split(" FROM ")[0].split(", COUNT(")
        return {p.rsplit(" AS ", 1)[1]: p for p in parts if "DISTINCT" in p}

    hashed = scan(True)
    assert 'HASHTEXTEXTENDED("name", 0)' in hashed["c0_d"]
    assert 'HASHTEXTEXTENDED("code", 0)' in hashed["c1_d"]
    assert hashed["c2_d"].endswith('DISTINCT "id") AS c2_d')
    assert "HASH" not in hashed["c3_d"].upper()
    assert "<< 16" in hashed["c4_d"] and "HASH" not in hashed["c4_d"].upper()
    assert 'HASH_RECORD_EXTENDED(("id", "name", "day", "amount"), 0)' in hashed["c5_d"]
    assert "HASH" not in hashed["c6_d"].upper()
    assert not any("HASH" in p.upper() for p in scan(False).values())  # before PostgreSQL 14
