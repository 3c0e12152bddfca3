"""The CheckSpec producers on a small hand-made manifest: test config (severity, where, warn_if/error_if),
dimension overrides in meta, dbt_utils / dbt_expectations tests, unknown generic and singular tests
(mirrored from their SQL, or listed as not mirrored with why), contracts and constraints, freshness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pef_gx.artifacts.manifest import read_manifest
from pef_gx.checks import catalog
from pef_gx.checks.spec import Severity
from pef_gx.generators.constraints import from_constraints
from pef_gx.generators.dbt_tests import from_dbt_tests
from pef_gx.generators.freshness import from_freshness

ORDERS = "model.shop.orders"
CUSTOMERS = "model.shop.customers"
RAW = "source.shop.raw.orders"


def _model(uid: str, columns: dict, **extra) -> dict:
    name = uid.split(".")[-1]
    return {
        "unique_id": uid, "resource_type": "model", "name": name, "package_name": "shop", "alias": name,
        "database": "db", "schema": "main", "relation_name": f'"db"."main"."{name}"', "columns": columns,
        "config": {"meta": {}, "contract": {"enforced": bool(extra.pop("enforced", False))}},
        "original_file_path": f"models/{name}.sql", "patch_path": "shop://models/schema.yml", **extra,
    }  # fmt: skip


def _test(name: str, test_name: str | None, kwargs: dict, node: str = ORDERS, **config) -> dict:
    meta = config.pop("meta", {})
    return {
        "unique_id": f"test.shop.{name}", "resource_type": "test", "name": name,
        "test_metadata": {"name": test_name, "kwargs": kwargs, "namespace": config.pop("namespace", None)}
        if test_name else None,
        "column_name": kwargs.get("column_name"), "attached_node": node if test_name else None,
        "depends_on": {"nodes": config.pop("depends", [node])},
        "config": {"severity": config.pop("severity", "ERROR"), "where": config.pop("where", None),
                   "warn_if": config.pop("warn_if", "!= 0"), "error_if": config.pop("error_if", "!= 0"), "meta": meta},
        "raw_code": config.pop("raw_code", ""), "compiled_code": config.pop("compiled_code", None),
        "original_file_path": "models/schema.yml",
    }  # fmt: skip


@pytest.fixture
def manifest(tmp_path: Path):
    col = lambda name, **kw: {"name": name, "meta": kw.pop("meta", {}), **kw}  # noqa: E731
    nodes = {
        ORDERS: _model(ORDERS, {
            "order_id": col("order_id", data_type="integer", constraints=[{"type": "primary_key"}]),
            "customer_id": col("customer_id", data_type="integer", constraints=[
                {"type": "foreign_key", "to": '"db"."main"."customers"', "to_columns": ["id"]}]),
            "amount": col("amount", data_type="numeric(10,2)", constraints=[{"type": "check", "expression": "amount >= 0"}],
                          meta={"quality_dimension": "accuracy"}),
        }, enforced=True),
        CUSTOMERS: _model(CUSTOMERS, {"id": col("id")}),
    }  # fmt: skip
    tests = [
        _test("not_null_orders_amount", "not_null", {"column_name": "amount"}, severity="warn",
              where="status <> 'x'", warn_if=">0", error_if=">10"),
        _test("unique_orders_order_id", "unique", {"column_name": "order_id"}, meta={"pef_gx": {"dimension": "accuracy"}}),
        _test("rel", "relationships", {"column_name": "customer_id", "to": "ref('customers')", "field": "id"},
              depends=[CUSTOMERS, ORDERS]),
        _test("range", "accepted_range", {"column_name": "amount", "min_value": 0, "inclusive": False}, namespace="dbt_utils"),
        _test("max", "expect_column_max_to_be_between", {"column_name": "amount", "max_value": 100, "row_condition": "amount > 0"},
              namespace="dbt_expectations"),
        _test("custom_compiled", "my_check", {"column_name": "amount"},
              compiled_code='select * from "db"."main"."orders" where amount > 1000 and customer_id not in (select id from "db"."main"."customers")',
              depends=[ORDERS, CUSTOMERS]),
        _test("custom_not_compiled", "my_check", {"column_name": "amount"}),
        _test("singular", None, {}, depends=[ORDERS, CUSTOMERS],
              raw_code="select o.order_id from {{ ref('orders') }} o join {{ ref('customers') }} c on o.customer_id = c.id where o.amount < 0"),
        _test("singular_jinja", None, {}, raw_code="select * from {{ ref('orders') }} where x = {{ var('y') }}"),
        _test("owned", "not_null", {"column_name": "order_id"}, meta={"pef_gx": {"owned": True, "check_id": "x"}}),
    ]  # fmt: skip
    source = {
        "unique_id": RAW, "resource_type": "source", "name": "orders", "source_name": "raw", "package_name": "shop",
        "identifier": "orders", "database": "db", "schema": "raw", "relation_name": '"db"."raw"."orders"',
        "columns": {}, "config": {"loaded_at_field": "_loaded_at", "meta": {},
                                  "freshness": {"warn_after": {"count": 12, "period": "hour"},
                                                "error_after": {"count": 2, "period": "day"}, "filter": "_loaded_at > '2020-01-01'"}},
        "original_file_path": "models/sources.yml",
    }  # fmt: skip
    data = {
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v11.json",
            "dbt_version": "1.9.0",
        },
        "nodes": {**nodes, **{t["unique_id"]: t for t in tests}},
        "sources": {RAW: source},
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return read_manifest(path)


def _by_ref(specs):
    return {s.origin.ref: s for s in specs}


def test_dbt_tests_and_their_config(manifest) -> None:
    out = from_dbt_tests(manifest, [ORDERS, CUSTOMERS])
    specs = _by_ref(out.specs)
    nn = specs["test.shop.not_null_orders_amount"]
    assert (nn.kind, nn.severity, nn.where, nn.warn_if, nn.error_if) == (
        "not_null",
        Severity.WARN,
        "status <> 'x'",
        ">0",
        ">10",
    )
    assert nn.dimension == "accuracy"  # the column's meta quality_dimension
    assert (
        specs["test.shop.unique_orders_order_id"].dimension == "accuracy"
    )  # the test's meta pef_gx.dimension
    rel = specs["test.shop.rel"]
    assert rel.params == {"to": CUSTOMERS, "field": "id"} and rel.dimension == "consistency"
    assert specs["test.shop.range"].params == {"min_value": 0, "inclusive": False}
    native = specs["test.shop.max"]
    assert catalog.gx_expectation(native) == (
        "expect_column_max_to_be_between",
        {"column": "amount", "max_value": 100},
    )
    assert native.where == "amount > 0"  # dbt_expectations' row_condition is raw SQL: a filtered batch
    assert "test.shop.owned" not in specs  # pef-gx's own test mirrors a suite check: not read back


def test_unknown_and_singular_tests(manifest) -> None:
    out = from_dbt_tests(manifest, [ORDERS, CUSTOMERS])
    specs = _by_ref(out.specs)
    compiled = specs["test.shop.custom_compiled"].params["query"]
    assert "{batch}" in compiled and "{ref:model.shop.customers}" in compiled and '"db"' not in compiled
    singular = specs["test.shop.singular"].params["query"]
    assert "from {batch} o join {ref:model.shop.customers} c" in singular
    assert specs["test.shop.singular"].kind == "unexpected_rows"
    why = {m.ref: m.reason for m in out.not_mirrored}
    assert set(why) == {"test.shop.custom_not_compiled", "test.shop.singular_jinja"}
    assert "dbt compile" in why["test.shop.singular_jinja"]


def test_contracts_and_constraints(manifest) -> None:
    out = from_constraints(manifest, [ORDERS])
    kinds = sorted((s.kind, s.columns) for s in out.specs)
    assert ("unique", ("order_id",)) in kinds and ("not_null", ("order_id",)) in kinds  # primary_key
    assert ("relationships", ("customer_id",)) in kinds
    assert ("expression_is_true", ()) in kinds
    assert sum(1 for k, _ in kinds if k == "data_type") == 3
    rel = next(s for s in out.specs if s.kind == "relationships")
    assert rel.params == {"to": CUSTOMERS, "field": "id"}
    check = next(s for s in out.specs if s.kind == "expression_is_true")
    assert check.params == {"expression": "amount >= 0"} and check.origin.type.value == "constraint"


def test_source_freshness(manifest) -> None:
    out = from_freshness(manifest, [RAW])
    assert [(s.severity, s.params, s.where) for s in out.specs] == [
        (Severity.WARN, {"datepart": "hour", "interval": 12}, "_loaded_at > '2020-01-01'"),
        (Severity.ERROR, {"datepart": "day", "interval": 2}, "_loaded_at > '2020-01-01'"),
    ]
    assert {s.dimension for s in out.specs} == {"timeliness"}
    query = catalog.gx_expectation(out.specs[0])[1]["unexpected_rows_query"]
    assert "interval '12 hour'" in query and "where _loaded_at > '2020-01-01'" in query
