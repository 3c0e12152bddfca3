"""The interpreter on the sample project's real manifest: many phrasings -> kind, model, column, params."""

from __future__ import annotations

import pytest

from pef_gx.checks.spec import OriginType, Severity
from pef_gx.generators import natural_language as nl
from pef_gx.generators.natural_language import ModelIntent, NotUnderstood, parse_request

# request -> (kind, model, column, params the asked check must have)
TEST_REQUESTS = [
    ("make sure product_id in sales is never null", "not_null", "sales", "product_id", {}),
    ("Ensure the 'product_id' column in my 'sales' table is never null", "not_null", "sales", "product_id", {}),
    ("product id in sales must always be filled", "not_null", "sales", "product_id", {}),
    ("the customer id of fct_orders should never be empty", "not_null", "fct_orders", "customer_id", {}),
    ("sales.order_status has no null values", "not_null", "sales", "order_status", {}),
    ("in stg_customers, country code should never be null", "not_null", "stg_customers", "country_code", {}),
    ("email in the stg_customers model is required", "not_null", "stg_customers", "email", {}),
    ("ensure order_id in stg_orders is unique", "unique", "stg_orders", "order_id", {}),
    ("stg_payments payment_id has no duplicates", "unique", "stg_payments", "payment_id", {}),
    ("order ids in fct_orders are never duplicated", "unique", "fct_orders", "order_id", {}),
    (
        "status of fct_orders must be one of placed, shipped, completed",
        "accepted_values",
        "fct_orders",
        "status",
        {"values": ["placed", "shipped", "completed"]},
    ),
    (
        "category in stg_products should be one of 'Books', 'Toys' or 'Home'",
        "accepted_values",
        "stg_products",
        "category",
        {"values": ["Books", "Toys", "Home"]},
    ),
    (
        "allowed values for payment_method in stg_payments are coupon, gift_card",
        "accepted_values",
        "stg_payments",
        "payment_method",
        {"values": ["coupon", "gift_card"]},
    ),
    (
        "the valid values of status in fct_orders are: placed, shipped",
        "accepted_values",
        "fct_orders",
        "status",
        {"values": ["placed", "shipped"]},
    ),
    ("stg_orders should be no older than 6 hours", "recency", "stg_orders", "loaded_at", {"datepart": "hour", "interval": 6}),
    (
        "amount in stg_payments should be between 0 and 10000",
        "accepted_range",
        "stg_payments",
        "amount",
        {"min_value": 0, "max_value": 10000},
    ),
    ("quantity in stg_order_items is positive", "accepted_range", "stg_order_items", "quantity", {"min_value": 0, "inclusive": False}),
    ("unit price in sales should be at least 0", "accepted_range", "sales", "unit_price", {"min_value": 0}),
    ("the amount column of sales is non-negative", "accepted_range", "sales", "amount", {"min_value": 0}),
    ("quantity in sales must be at most 100", "accepted_range", "sales", "quantity", {"max_value": 100}),
    ("amount in stg_payments should be below 20000.5", "accepted_range", "stg_payments", "amount", {"max_value": 20000.5, "inclusive": False}),
    (
        "customer_id in sales must exist in stg_customers",
        "relationships",
        "sales",
        "customer_id",
        {"to": "model.pef_shop.stg_customers", "field": "customer_id"},
    ),
    (
        "customer_id in fct_orders references stg_customers",
        "relationships",
        "fct_orders",
        "customer_id",
        {"to": "model.pef_shop.stg_customers", "field": "customer_id"},
    ),
    (
        "product_id in stg_order_items refers to stg_products",
        "relationships",
        "stg_order_items",
        "product_id",
        {"to": "model.pef_shop.stg_products", "field": "product_id"},
    ),
    ("Make sure that the order_id column in the fct_orders table never contains nulls", "not_null", "fct_orders", "order_id", {}),
    ("sales amount must not be negative", "accepted_range", "sales", "amount", {"min_value": 0}),
    ("quantity in sales can't be less than 1", "accepted_range", "sales", "quantity", {"min_value": 1}),
    ("quantity in sales should never exceed 100", "accepted_range", "sales", "quantity", {"max_value": 100}),
    ("list price of stg_products > 0", "accepted_range", "stg_products", "list_price", {"min_value": 0, "inclusive": False}),
    ("order_id in stg_payments is a foreign key to stg_orders", "relationships", "stg_payments", "order_id", {"to": "model.pef_shop.stg_orders", "field": "order_id"}),
    ("make sure status in stg_orders is in ('placed', 'shipped')", "accepted_values", "stg_orders", "status", {"values": ["placed", "shipped"]}),
    ("orders should be loaded within 2 days", "recency", "stg_orders", "loaded_at", {"datepart": "day", "interval": 2}),
    ("stg_orders must be refreshed within the last 6 hours", "recency", "stg_orders", "loaded_at", {"datepart": "hour", "interval": 6}),
    ("customers should be no older than 3 days", "recency", "stg_customers", "updated_at", {"datepart": "day", "interval": 3}),
]  # fmt: skip


@pytest.mark.parametrize(("request_text", "kind", "model", "column", "params"), TEST_REQUESTS)
def test_test_requests(index, request_text, kind, model, column, params):
    intent = parse_request(request_text, index)
    assert isinstance(intent, nl.TestIntent)
    asked = intent.checks[0]
    assert not asked.proposed
    assert (asked.spec.kind, intent.model.name, asked.spec.columns) == (kind, model, (column,))
    assert dict(asked.spec.params) == params
    assert asked.spec.origin.type is OriginType.NATURAL_LANGUAGE
    assert asked.spec.severity is Severity.ERROR
    assert asked.test_name in index.test_names  # a generic test this project can run


def test_spec_example_proposes_the_relationship_to_the_key_owner(index):
    intent = parse_request("Ensure the 'product_id' column in my 'sales' table is never null", index)
    kinds = [(c.spec.kind, c.proposed) for c in intent.checks]
    assert kinds == [("not_null", False), ("relationships", True)]
    proposal = intent.checks[1]
    assert dict(proposal.spec.params) == {"to": "model.pef_shop.stg_products", "field": "product_id"}
    assert "unique key of stg_products" in proposal.why
    # the sample project already has both tests: they are found, not written twice
    assert intent.checks[0].covered_by.startswith("test.pef_shop.not_null_sales_product_id")
    assert intent.checks[1].covered_by.startswith("test.pef_shop.relationships_sales_product_id")


def test_relationship_proposal_follows_the_projects_convention(index):
    # customer_id is unique in stg_customers, dim_customers and customer_lifetime_value; the project's
    # existing relationships tests on customer_id point to stg_customers
    intent = parse_request("make sure customer_id in sales is never null", index)
    proposal = intent.checks[1]
    assert proposal.proposed and proposal.spec.params["to"] == "model.pef_shop.stg_customers"
    assert proposal.covered_by is None


def test_no_proposal_for_a_models_own_key_or_a_non_key(index):
    assert len(parse_request("ensure order_id in stg_orders is unique", index).checks) == 1
    assert len(parse_request("order_status in sales is never null", index).checks) == 1


def test_warning_severity_on_request(index):
    intent = parse_request("order_status in sales is never null, just warn", index)
    assert intent.checks[0].spec.severity is Severity.WARN


def test_existing_check_is_recognised_whatever_the_value_order(index):
    intent = parse_request(
        "payment method in stg_payments must be one of gift_card, coupon, bank_transfer, credit_card", index
    )
    assert intent.checks[0].covered_by is not None


@pytest.mark.parametrize(
    ("request_text", "message", "hint"),
    [
        ("make sure product_id in slaes is never null", "no model, seed or source named 'slaes'", "did you mean 'sales'?"),
        ("make sure prodct_id in sales is never null", "sales has no column 'prodct_id'", "did you mean 'product_id'?"),
        ("amount in stg_paymnts should be between 0 and 10", "named 'stg_paymnts'", "did you mean 'stg_payments'"),
        ("customer_id in sales must exist in stg_customer", "", ""),  # plural forgiven: resolves, no error
        ("foo_bar in sales is unique", "sales has no column 'foo_bar'", "its columns: order_item_id"),
        ("product_id is never null", "which model? 'product_id' is a column of", "product_id in <model>"),
        ("amount in stg_payments should be between 10 and 0", "the range 10 to 0 is empty", "smaller bound first"),
        ("hello world", "could not read 'hello world'", "make sure product_id in sales is never null"),
        ("", "the request is empty", ""),
        ("products should be updated within 1 week", "stg_products has no column that says when", "name it"),
        ("a model for the weather forecast", "no model template matches", "customer lifetime value"),
        ("revenue per planet", "no model in pef_shop has columns for all of", "--source"),
    ],
)  # fmt: skip
def test_not_understood_says_why_and_suggests(index, request_text, message, hint):
    if not message:
        parse_request(request_text, index)
        return
    with pytest.raises(NotUnderstood) as info:
        parse_request(request_text, index)
    assert message in info.value.message
    assert hint in (info.value.hint or "")
    assert info.value.exit_code == 2


# request -> (template, new model name, source model, grain)
MODEL_REQUESTS = [
    ("a model for customer lifetime value", "customer_lifetime_value", "customer_lifetime_value", "fct_orders", ("customer_id",)),
    ("Create a model that calculates customer lifetime value", "customer_lifetime_value", "customer_lifetime_value", "fct_orders", ("customer_id",)),
    ("daily revenue", "period_summary", "daily_revenue", "fct_orders", ("date_day",)),
    ("build a model of monthly sales by product category", "period_summary", "monthly_sales_by_product_category", "sales", ("date_month", "product_category")),
    ("orders per customer", "per_entity", "orders_per_customer", "fct_orders", ("customer_id",)),
    ("top products by revenue", "top_n", "top_products_by_revenue", "sales", ("product_id",)),
    ("top 5 customers by revenue", "top_n", "top_5_customers_by_revenue", "fct_orders", ("customer_id",)),
    ("revenue by month", "period_summary", "monthly_revenue", "fct_orders", ("date_month",)),
    ("create a daily revenue model", "period_summary", "daily_revenue", "fct_orders", ("date_day",)),
    ("I need a table of weekly units by category", "period_summary", "weekly_units_by_category", "sales", ("date_week", "product_category")),
    ("show me the top 10 customers by spend", "top_n", "top_10_customers_by_spend", "fct_orders", ("customer_id",)),
    ("revenue by product category", "per_entity", "revenue_per_product_category", "sales", ("product_category",)),
]  # fmt: skip


@pytest.mark.parametrize(("request_text", "template", "name", "source", "grain"), MODEL_REQUESTS)
def test_model_requests(index, request_text, template, name, source, grain):
    intent = parse_request(request_text, index)
    assert isinstance(intent, ModelIntent)
    assert (intent.template, intent.name, intent.source.name, intent.grain) == (template, name, source, grain)


def test_model_request_source_can_be_chosen(index):
    intent = parse_request("daily revenue", index, source="sales")
    assert intent.source.name == "sales" and intent.slots["measure"] == "amount"
    with pytest.raises(NotUnderstood, match="has no column for"):
        parse_request("daily revenue", index, source="stg_customers")


def test_top_n_keeps_its_limit_and_price_times_quantity_is_an_amount(index):
    intent = parse_request("top 3 products by revenue", index, source="stg_order_items")
    assert intent.slots["limit"] == 3
    assert intent.slots["measure"] == "amount"


def test_rendered_model_refs_its_source_and_tests_its_grain(index):
    import yaml

    from pef_gx.generators.natural_language import render_model

    intent = parse_request("a model for customer lifetime value", index)
    sql, properties = render_model(intent, index.dbt_version)
    assert "{{ ref('fct_orders') }}" in sql
    assert "group by customer_id" in sql
    doc = yaml.safe_load(properties)
    model = doc["models"][0]
    key = next(c for c in model["columns"] if c["name"] == "customer_id")
    assert key["data_tests"] == ["not_null", "unique"]
    assert model["config"]["meta"]["pef_gx"]["origin"] == "natural_language"


def test_request_text_cannot_inject_jinja_or_sql_into_the_model(index):
    # words the reader does not use are refused (it used to drop them and write the model anyway)
    with pytest.raises(NotUnderstood) as info:
        parse_request("a model for customer lifetime value {{ run_query('drop table x') }} */ --", index)
    assert "did not understand" in info.value.message and "'run_query'" in info.value.message
    from pef_gx.generators.natural_language import render_model

    intent = parse_request("a model for customer lifetime value", index)
    sql, properties = render_model(intent, index.dbt_version)
    assert "{{" not in sql.replace("{{ ref('fct_orders') }}", "") and "{%" not in sql
    assert "*/" not in sql and "{{" not in properties


def test_exclusions_become_filters_on_values_the_project_lists(index):
    intent = parse_request("daily revenue excluding returned and return_pending orders", index)
    assert intent.name == "daily_revenue_excluding_returned_return_pending"
    assert intent.slots["filters"] == ["(status is null or status not in ('returned', 'return_pending'))"]
    with pytest.raises(NotUnderstood) as info:
        parse_request("orders per customer except cancelled", index)
    assert "'cancelled' is not a value any accepted_values test lists" in info.value.message
    assert "status: completed, placed, return_pending, returned, shipped" in info.value.hint


def test_several_columns_get_one_check_each(index):
    intent = parse_request("order_item_id, order_id and product_id of sales must not be null", index)
    asked = [c.spec.columns for c in intent.checks if not c.proposed]
    assert asked == [("order_item_id",), ("order_id",), ("product_id",)]
    proposed = {c.spec.columns[0]: c.spec.params["to"] for c in intent.checks if c.proposed}
    assert proposed == {"order_id": "model.pef_shop.stg_orders", "product_id": "model.pef_shop.stg_products"}


@pytest.mark.parametrize(
    "request_text",
    [
        "the combination of order_id and product_id in stg_order_items is unique",
        "order_id and product_id in stg_order_items are unique together",
    ],
)
def test_combination_is_one_compound_check_the_project_already_has(index, request_text):
    (check,) = parse_request(request_text, index).checks
    assert (check.spec.kind, check.spec.columns) == ("unique_combination", ("order_id", "product_id"))
    assert check.covered_by.startswith("test.pef_shop.unique_combination_of_columns_stg_order_items")


@pytest.mark.parametrize(
    ("request_text", "model", "params"),
    [
        ("sales should have at least 100 rows", "sales", {"min_value": 100}),
        ("fct_orders has between 10 and 100000 rows", "fct_orders", {"min_value": 10, "max_value": 100000}),
        ("stg_orders must have more than 5 records", "stg_orders", {"min_value": 6}),
        ("make sure the sales table is never empty", "sales", {"min_value": 1}),
    ],
)
def test_row_count_requests(index, request_text, model, params):
    from dataclasses import replace

    with_macro = replace(index, test_names=index.test_names | {"pef_gx_row_count_between"})
    (check,) = parse_request(request_text, with_macro).checks
    assert (check.spec.kind, check.spec.columns) == ("row_count_between", ())
    assert check.spec.node_id.endswith(f".{model}") and dict(check.spec.params) == params
    assert check.test_name == "pef_gx_row_count_between"
    without = replace(index, test_names=index.test_names - {"pef_gx_row_count_between"})
    with pytest.raises(NotUnderstood) as info:
        parse_request(request_text, without)
    assert "no generic test for row_count_between" in info.value.message
    assert "pef-gx init" in info.value.hint
