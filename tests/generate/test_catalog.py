"""The mapping table (pef_gx.checks.catalog) and the SQL templates, checked against GX's own classes."""

from __future__ import annotations

import pytest

from pef_gx.checks import catalog, custom_tests
from pef_gx.checks import sql_template as sql
from pef_gx.checks.spec import DIMENSIONS, CheckSpec, Severity
from pef_gx.errors import ConfigError


def _gx_types() -> set[str]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.expectation import Expectation

    out = set()
    for name in dir(gxe):
        cls = getattr(gxe, name)
        if isinstance(cls, type) and issubclass(cls, Expectation):
            out.add(cls.expectation_type if hasattr(cls, "expectation_type") else name)
    return out


def test_every_kind_names_a_real_gx_expectation_a_dimension_and_a_level() -> None:
    from great_expectations.expectations.registry import list_registered_expectation_implementations

    import pef_gx.validation.custom_expectations  # noqa: F401  (registers pef-gx's own types)

    types = _gx_types() | set(list_registered_expectation_implementations())
    for kind in catalog.KINDS.values():
        if kind.name in custom_tests.GX_TYPES:  # quality-score and performance tests: not scored
            assert kind.dimension in ("overall", "performance"), kind
        else:
            assert kind.dimension in DIMENSIONS, kind
        assert kind.level in ("row", "table"), kind
        if kind.name != "gx_native":
            assert kind.gx_type in types, kind


@pytest.mark.parametrize(
    ("name", "namespace", "kind"),
    [
        ("not_null", None, "not_null"),
        ("unique", None, "unique"),
        ("accepted_values", None, "accepted_values"),
        ("relationships", None, "relationships"),
        ("accepted_range", "dbt_utils", "accepted_range"),
        ("accepted_range", None, "accepted_range"),  # the project's own test of the same name
        ("expression_is_true", "dbt_utils", "expression_is_true"),
        ("unique_combination_of_columns", "dbt_utils", "unique_combination"),
        ("not_null_proportion", "dbt_utils", "not_null_proportion"),
        ("recency", "dbt_utils", "recency"),
        ("equal_rowcount", "dbt_utils", "equal_rowcount"),
        ("sequential_values", "dbt_utils", "sequential_values"),
        ("expect_column_values_to_be_between", "dbt_expectations", "accepted_range"),
        ("expect_column_values_to_match_regex", "dbt_expectations", "match_regex"),
        ("expect_column_max_to_be_between", "dbt_expectations", "gx_native"),
        ("pef_gx_match_regex", None, "match_regex"),
    ],
)
def test_dbt_test_names(name: str, namespace: str | None, kind: str) -> None:
    found = catalog.kind_for_dbt_test(name, namespace)
    assert found is not None and found.name == kind


def test_unknown_generic_test_is_no_kind() -> None:
    assert catalog.kind_for_dbt_test("my_company_test", None) is None
    assert catalog.kind_for_dbt_test(None, None) is None


def test_dbt_expectations_tests_become_the_same_named_gx_expectation() -> None:
    kind = catalog.kind_for_dbt_test("expect_column_max_to_be_between", "dbt_expectations")
    assert kind is not None
    cols, params = catalog.dbt_params(
        kind, {"column_name": "amount", "min_value": 0, "max_value": 10, "model": "x"}, "amount",
        "expect_column_max_to_be_between",
    )  # fmt: skip
    spec = CheckSpec("model.p.m", kind.name, cols, params)
    gx_type, kwargs = catalog.gx_expectation(spec)
    assert gx_type == "expect_column_max_to_be_between"
    assert kwargs == {"column": "amount", "min_value": 0, "max_value": 10}
    assert catalog.dimension_for("gx_native", gx_type=gx_type) == "accuracy"
    assert catalog.level_of(spec) == "table"


def test_dimension_overrides_from_meta() -> None:
    assert catalog.dimension_for("not_null") == "completeness"
    assert catalog.dimension_for("not_null", {"pef_gx": {"dimension": "Accuracy"}}) == "accuracy"
    assert catalog.dimension_for("not_null", {"quality_dimension": "validity"}) == "validity"
    # the first meta that says something wins (test meta before column meta before model meta)
    assert catalog.dimension_for("unique", {}, {"quality_dimension": "consistency"}) == "consistency"
    with pytest.raises(ConfigError, match="did you mean 'timeliness'"):
        catalog.dimension_for("unique", {"quality_dimension": "timelines"})


def test_accepted_range_translations() -> None:
    spec = CheckSpec("model.p.m", "accepted_range", ("x",), {"min_value": 0, "inclusive": False})
    assert catalog.gx_expectation(spec) == (
        "expect_column_values_to_be_between",
        {"column": "x", "min_value": 0, "max_value": None, "strict_min": True},
    )
    # date bounds: an unexpected-rows query (GX compares strings with dates badly on some backends)
    dates = CheckSpec(
        "model.p.m", "accepted_range", ("d",), {"min_value": "2024-01-01", "max_value": "2025-01-01"}
    )
    gx_type, kwargs = catalog.gx_expectation(dates)
    assert gx_type == catalog.UNEXPECTED_ROWS
    assert "\"d\" < '2024-01-01' or \"d\" > '2025-01-01'" in kwargs["unexpected_rows_query"]


def test_relationships_query_is_schema_free_and_selects_the_key_only() -> None:
    spec = CheckSpec(
        "model.p.orders", "relationships", ("customer_id",), {"to": "model.p.customers", "field": "id"},
        where="status <> 'x'",
    )  # fmt: skip
    gx_type, kwargs = catalog.gx_expectation(spec)
    query = kwargs["unexpected_rows_query"]
    assert gx_type == catalog.UNEXPECTED_ROWS
    assert query.startswith('select child."customer_id" from (select * from {batch} where status')
    assert "{ref:model.p.customers}" in query
    assert sql.referenced_ids(query) == ["model.p.customers"]
    assert catalog.where_in_query(spec)
    rendered = sql.render_relations(query, lambda uid: '"db"."s"."customers"')
    assert '"db"."s"."customers"' in rendered and "{ref:" not in rendered and "{batch}" in rendered


def test_expression_query_selects_key_columns() -> None:
    spec = CheckSpec("model.p.m", "expression_is_true", (), {"expression": "a >= b"})
    _, kwargs = catalog.gx_expectation(spec, key_columns=["order_id"])
    assert (
        kwargs["unexpected_rows_query"]
        == 'select "order_id" from (select * from {batch}) as pef_gx_rows where not (a >= b)'
    )
    _, kwargs = catalog.gx_expectation(spec)
    assert (
        kwargs["unexpected_rows_query"]
        == "select 1 as pef_gx_row from (select * from {batch}) as pef_gx_rows where not (a >= b)"
    )


def test_braces_in_user_sql_survive_gx_formatting() -> None:
    spec = CheckSpec("model.p.m", "expression_is_true", (), {"expression": "payload <> '{}'"})
    _, kwargs = catalog.gx_expectation(spec)
    query = kwargs["unexpected_rows_query"]
    assert (
        query.format(batch="t")
        == "select 1 as pef_gx_row from (select * from t) as pef_gx_rows where not (payload <> '{}')"
    )


@pytest.mark.parametrize(
    ("gx_type", "kwargs", "kind", "params"),
    [
        ("expect_column_values_to_not_be_null", {"column": "a"}, "not_null", {}),
        ("expect_column_values_to_be_in_set", {"column": "a", "value_set": [1, 2]}, "accepted_values", {"values": [1, 2]}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 1, "max_value": 5}, "accepted_range",
         {"min_value": 1, "max_value": 5}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 1, "strict_min": True}, "accepted_range",
         {"min_value": 1, "inclusive": False}),
        ("expect_table_row_count_to_be_between", {"min_value": 1, "max_value": 5}, "row_count_between",
         {"min_value": 1, "max_value": 5}),
        ("expect_column_values_to_match_regex", {"column": "a", "regex": "^x"}, "match_regex", {"regex": "^x"}),
        ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.9}, "gx_native",
         {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "mostly": 0.9}}),
    ],
)  # fmt: skip
def test_from_gx(gx_type: str, kwargs: dict, kind: str, params: dict) -> None:
    found_kind, _cols, found_params = catalog.from_gx(gx_type, kwargs)
    assert (found_kind, found_params) == (kind, params)
    if kind != "gx_native":  # and back: the same GX expectation
        spec = CheckSpec("model.p.m", found_kind, _cols, found_params)
        back_type, back_kwargs = catalog.gx_expectation(spec)
        assert back_type == gx_type
        assert {k: v for k, v in back_kwargs.items() if v not in (None, False)} == kwargs


def test_dbt_test_entries_for_the_reverse_direction() -> None:
    ref = {"model.p.customers": "ref('customers')"}.get
    regex = CheckSpec("model.p.m", "match_regex", ("email",), {"regex": "^.+@.+$"}, severity=Severity.WARN)
    assert catalog.dbt_test_entry(regex, ref) == ("pef_gx_match_regex", {"regex": "^.+@.+$"}, True)
    rel = CheckSpec("model.p.m", "relationships", ("c",), {"to": "model.p.customers", "field": "id"})
    assert catalog.dbt_test_entry(rel, ref) == (
        "relationships",
        {"to": "ref('customers')", "field": "id"},
        True,
    )
    native = CheckSpec(
        "model.p.m", "gx_native", ("c",), {"expectation_type": "expect_column_mean_to_be_between"}
    )
    assert catalog.dbt_test_entry(native, ref) is None


def test_quote_ident_and_literal() -> None:
    assert sql.quote_ident("customer_id") == '"customer_id"'
    assert sql.quote_ident("CustomerID") == '"customerid"'  # what an unquoted name means to PostgreSQL
    assert sql.quote_ident("CustomerID", quote=True) == '"CustomerID"'
    assert sql.quote_ident('we"ird col') == '"we""ird col"'
    assert sql.quote_ident("ünïcödé") == '"ünïcödé"'
    assert sql.quote_literal("it's'; drop table x; --") == "'it''s''; drop table x; --'"
    assert sql.quote_literal(True) == "true" and sql.quote_literal(None) == "null"
    with pytest.raises(ValueError):
        sql.quote_literal(float("nan"))
    with pytest.raises(ValueError):
        sql.interval(3, "fortnight")


def test_type_names_cover_both_backends() -> None:
    assert catalog.type_names("varchar(100)") == ["VARCHAR(100)", "VARCHAR", "TEXT", "CHAR", "String"]
    assert "INTEGER" in catalog.type_names("integer") and "Integer" in catalog.type_names("int")
    assert catalog.type_names("int")[0] == "INTEGER"
    assert catalog.type_names("numeric(18,2)")[:2] == ["NUMERIC(18, 2)", "NUMERIC"]
    assert catalog.type_names("character varying(20)")[0] == "VARCHAR(20)"
    assert catalog.type_names("timestamp")[0] == "TIMESTAMP" and catalog.type_names("date")[0] == "DATE"
