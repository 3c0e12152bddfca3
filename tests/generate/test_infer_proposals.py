"""The proposal logic of the breakage checks of `--infer` (issue 12) on a small DuckDB file and a
hand-made manifest: sibling relationships (only into a complete key of a model named for the entity,
never upstream-only candidates skipped, never downstream, never from a seed, never when a value is
missing), row-count bounds from the history, schema checks, their settings, and the catalog forms."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pef_gx.artifacts.manifest import read_manifest
from pef_gx.artifacts.profiles import Target
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec
from pef_gx.errors import ConfigError
from pef_gx.generators.inference import (
    DEFAULTS,
    infer_checks,
    infer_settings,
    names_entity,
    row_count_bound,
)
from pef_gx.validation.custom_expectations import type_family_of

P = "model.shop."


def _node(
    name: str, depends: list[str], resource_type: str = "model", enforced: bool = False, columns=None
) -> dict:
    return {
        "unique_id": f"{resource_type}.shop.{name}", "resource_type": resource_type, "name": name,
        "package_name": "shop", "alias": name, "database": "wh", "schema": "main",
        "relation_name": f'"wh"."main"."{name}"', "columns": columns or {},
        "config": {"meta": {}, "contract": {"enforced": enforced}}, "depends_on": {"nodes": depends},
        "original_file_path": f"models/{name}.sql",
    }  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    """orders (stg_orders) and payments are siblings from two seeds; fct_orders is built from both;
    order_notes is a sibling whose order_id has a value missing from stg_orders; stg_customers has a
    typed contract."""
    root = tmp_path_factory.mktemp("infer")
    conn = duckdb.connect(str(root / "wh.duckdb"))
    conn.execute(
        "create table raw_orders as select i as order_id, i % 7 as customer_id from range(1, 41) t(i)"
    )
    conn.execute(
        "create table raw_payments as select i as payment_id, i % 40 + 1 as order_id from range(1, 61) t(i)"
    )
    conn.execute(
        "create table stg_orders as select order_id, customer_id, date '2024-01-01' + order_id::int as order_date from raw_orders"
    )
    conn.execute(
        "create table stg_payments as select payment_id, order_id, 10.5 * payment_id as amount from raw_payments"
    )
    conn.execute(
        "create table fct_orders as select o.order_id, count(p.payment_id) as n from stg_orders o left join stg_payments p using (order_id) group by 1"
    )
    conn.execute(
        "create table order_notes as select i as note_id, i as order_id, 'n' || i as note from range(1, 42) t(i)"
    )
    conn.execute(
        "create table stg_customers as select i as customer_id, 'c' || i as name from range(0, 20) t(i)"
    )
    conn.execute(
        "create table customers_snapshot as select customer_id, md5(customer_id::varchar) as dbt_scd_id"
        " from stg_customers"
    )
    conn.execute(
        "create table payment_batches as select i as batch_id, i % 40 + 1 as order_id from range(1, 31) t(i)"
    )
    conn.close()
    nodes = [
        _node("raw_orders", [], "seed"), _node("raw_payments", [], "seed"),
        _node("stg_orders", ["seed.shop.raw_orders"]), _node("stg_payments", ["seed.shop.raw_payments"]),
        _node("fct_orders", [P + "stg_orders", P + "stg_payments"]), _node("order_notes", []),
        _node("stg_customers", [], enforced=True, columns={
            "customer_id": {"name": "customer_id", "data_type": "integer", "meta": {}},
            "name": {"name": "name", "meta": {}}}),
        _node("payment_batches", []),
        _node("customers_snapshot", [P + "stg_customers"], "snapshot"),
    ]  # fmt: skip
    data = {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v11.json", "dbt_version": "1.9.0"},
        "nodes": {n["unique_id"]: n for n in nodes},
    }  # fmt: skip
    (root / "manifest.json").write_text(json.dumps(data))
    manifest = read_manifest(root / "manifest.json")
    target = Target(name="duckdb", type="duckdb", schema="main", database="wh", path=root / "wh.duckdb")
    return target, manifest


def _infer(warehouse, section=None, history=None, existing=()):
    target, manifest = warehouse
    nodes = sorted(manifest.nodes.values(), key=lambda n: n.unique_id)
    nodes = [n for n in nodes if n.resource_type != "test"]
    return infer_checks(target, manifest, nodes, {}, section or {}, existing, history).specs


def _rels(specs):
    return {(s.node_id.split(".")[-1], s.columns[0]): s.params["to"].split(".")[-1]
            for s in specs if s.kind == "relationships"}  # fmt: skip


def test_sibling_relationships_only_into_an_entity_key_that_holds_every_value(warehouse) -> None:
    rels = _rels(_infer(warehouse))
    # stg_payments and stg_orders are siblings; every payment's order is an order
    assert rels[("stg_payments", "order_id")] == "stg_orders"
    # upstream parents still come first
    assert rels[("fct_orders", "order_id")] == "stg_orders"
    # order 41 of order_notes is no order: nothing proposed (never a check that fails today)
    assert ("order_notes", "order_id") not in rels
    # a seed gets no sibling parent (selecting a seed must not pick up tests waiting for models)
    assert ("raw_payments", "order_id") not in rels
    # never into a downstream model: stg_payments -> fct_orders would wait for a model built from it
    assert rels[("stg_payments", "order_id")] != "fct_orders"
    # payment_batches.order_id: two siblings named for orders hold every value (the first of the
    # smallest); raw_orders is a seed, not a parent
    assert rels[("payment_batches", "order_id")] in ("fct_orders", "stg_orders")
    # stg_orders.customer_id: stg_customers is named for customers and holds every value (0..6)
    assert rels[("stg_orders", "customer_id")] == "stg_customers"


def test_a_snapshot_key_repeats_over_time(warehouse) -> None:
    specs = _infer(warehouse)
    unique = {
        s.columns[0] for s in specs if s.kind == "unique" and s.node_id == "snapshot.shop.customers_snapshot"
    }
    assert unique == {"dbt_scd_id"}  # customer_id is unique today only: a changed customer adds a version
    assert "customers_snapshot" not in _rels(specs).values()  # no sibling parent either


def test_sibling_relationships_can_be_turned_off(warehouse) -> None:
    rels = _rels(_infer(warehouse, {"sibling_relationships": False}))
    assert ("stg_payments", "order_id") not in rels and rels[("fct_orders", "order_id")] == "stg_orders"


def test_names_entity() -> None:
    for name in ("orders", "stg_orders", "fct_orders", "dim_order", "orders_snapshot", "order"):
        assert names_entity(name, "order_id"), name
    for name in ("sales", "order_items", "stg_order_items", "customers"):
        assert not names_entity(name, "order_id"), name
    assert names_entity("dim_categories", "category_key")
    assert not names_entity("orders", "status")


def test_row_count_bound_from_history() -> None:
    cfg = infer_settings({})
    assert row_count_bound(1000, [990, 1000, 980], cfg) is None  # fewer than 5 recorded counts
    bound = row_count_bound(1000, [990, 1000, 980, 1010, 995], cfg)
    assert bound == 686  # the lowest count (980) less 30 %
    assert 500 < bound <= 1000  # passes today; half the rows gone fails
    assert row_count_bound(1000, [0, 1000, 980, 1010, 995], cfg) is None  # sometimes empty: no bound
    assert row_count_bound(400, [990, 1000, 980, 1010, 995], cfg) == 280  # today is the lowest
    # only the newest row_count_history counts matter
    assert row_count_bound(1000, [1000] * 5 + [10], {**cfg, "row_count_history": 5}) == 700


def test_row_count_check_proposed_with_history_only(warehouse) -> None:
    history = {P + "stg_payments": [60, 58, 61, 59, 60], P + "stg_orders": [40, 40]}
    specs = [s for s in _infer(warehouse, history=history) if s.kind == "row_count_between"]
    assert [(s.node_id, dict(s.params)) for s in specs] == [(P + "stg_payments", {"min_value": 40})]
    assert not [s for s in _infer(warehouse, {"row_counts": False}, history) if s.kind == "row_count_between"]


def test_schema_checks(warehouse) -> None:
    specs = _infer(warehouse)
    columns = {s.node_id: list(s.params["columns"]) for s in specs if s.kind == "table_columns"}
    assert columns[P + "stg_payments"] == ["payment_id", "order_id", "amount"]
    types = {(s.node_id, s.columns[0]): s.params["family"] for s in specs if s.kind == "column_type"}
    assert types[(P + "stg_payments", "amount")] == "numeric"
    assert types[(P + "stg_orders", "order_date")] == "date"
    assert types[(P + "order_notes", "note")] == "string"
    # a column an enforced contract types is left to the contract's data_type check
    assert (P + "stg_customers", "customer_id") not in types
    assert not [s for s in _infer(warehouse, {"schema": False}) if s.kind in ("table_columns", "column_type")]


def test_existing_dbt_checks_are_not_proposed_again(warehouse) -> None:
    mine = CheckSpec(
        P + "stg_payments", "relationships", ("order_id",), {"to": P + "stg_orders", "field": "order_id"}
    )
    assert ("stg_payments", "order_id") not in _rels(_infer(warehouse, existing=[mine]))


@pytest.mark.parametrize(
    "section",
    [{"row_count_margin": 1.5}, {"row_count_margin": "x"}, {"row_count_min_history": 0},
     {"row_count_min_history": 40}, {"row_counts_margin": 0.2}],
)  # fmt: skip
def test_bad_settings(section) -> None:
    with pytest.raises(ConfigError):
        infer_settings(section)


def test_defaults_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for key in DEFAULTS:
        assert f"  {key}:" in readme, key


def test_catalog_forms_of_the_new_kinds() -> None:
    cols = CheckSpec("model.a.t", "table_columns", (), {"columns": ["a", "b"]})
    assert catalog.gx_expectation(cols) == (
        "expect_table_columns_to_match_set", {"column_set": ["a", "b"], "exact_match": False},
    )  # fmt: skip
    assert catalog.from_gx(*catalog.gx_expectation(cols)) == ("table_columns", (), {"columns": ["a", "b"]})
    assert catalog.dbt_test_entry(cols, lambda _: None) == (
        "pef_gx_table_columns",
        {"column_list": ["a", "b"]},
        False,
    )
    typed = CheckSpec("model.a.t", "column_type", ("a",), {"family": "numeric"})
    assert catalog.gx_expectation(typed) == (
        "expect_column_type_family_to_be",
        {"column": "a", "family": "numeric"},
    )
    assert catalog.from_gx(*catalog.gx_expectation(typed)) == ("column_type", ("a",), {"family": "numeric"})
    assert catalog.dbt_test_entry(typed, lambda _: None) == (
        "pef_gx_column_type",
        {"family": "numeric"},
        True,
    )
    kind = catalog.kind_for_dbt_test("pef_gx_column_type")
    assert kind is not None and catalog.dbt_params(kind, {"family": "date"}, "d") == (
        ("d",),
        {"family": "date"},
    )
    # an exact-match column set is not the same check
    assert (
        catalog.from_gx("expect_table_columns_to_match_set", {"column_set": ["a"], "exact_match": True})[0]
        == "gx_native"
    )


@pytest.mark.parametrize(
    ("name", "family"),
    [("INTEGER", "numeric"), ("HUGEINT", "numeric"), ("NUMERIC(10, 2)", "numeric"), ("DOUBLE_PRECISION", "numeric"),
     ("VARCHAR(20)", "string"), ("TEXT", "string"), ("DATE", "date"), ("TIMESTAMP WITHOUT TIME ZONE", "timestamp"),
     ("TIMESTAMP", "timestamp"), ("BOOLEAN", "boolean"), ("INTERVAL", "other"), ("INTEGER[]", "other")],
)  # fmt: skip
def test_type_families(name: str, family: str) -> None:
    assert type_family_of(name) == family


def test_numeric_and_date_ranges_have_their_own_margins(warehouse) -> None:
    specs = _infer(warehouse)
    ranges = {(s.node_id, s.columns[0]): dict(s.params) for s in specs if s.kind == "accepted_range"}
    # amount 10.5 .. 630: half the span on each side, the minimum held at 0 (no negative amount today)
    assert ranges[(P + "stg_payments", "amount")] == {"min_value": 0, "max_value": 939.75}
    # order_date 2024-01-02 .. 2024-02-10 (39 days): 4 days on each side, the maximum's day included
    assert ranges[(P + "stg_orders", "order_date")] == {"min_value": "2023-12-29", "max_value": "2024-02-15"}
    tight = {(s.node_id, s.columns[0]): dict(s.params) for s in _infer(warehouse, {"numeric_range_margin": 0.1})
             if s.kind == "accepted_range"}  # fmt: skip
    assert tight[(P + "stg_payments", "amount")] == {"min_value": 0, "max_value": 691.95}
