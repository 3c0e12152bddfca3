"""Checks in words: the rule and the observed value of every check kind pef-gx writes, as golden files.

Regenerate on purpose: PEF_GX_REGEN_GOLDEN=1 .venv/bin/pytest tests/site -k golden   # then review `git diff`
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pef_gx.checks.catalog import KINDS
from pef_gx.checks.words import relation_name, span_text, value_text, words_for
from tests.scoring.golden_util import assert_golden

GOLDEN = Path(__file__).parent / "golden"
NOW = "2026-11-30T12:00:00+00:00"

# one realistic check per kind: (meta.pef_gx as the suite writer stores it, a failing result)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "not_null": ({"columns": ["email"]}, {"unexpected_count": 4, "unexpected_values": [None, None]}),
    "unique": ({"columns": ["order_id"]}, {"unexpected_count": 2, "unexpected_values": [17, 17]}),
    "accepted_values": (
        {"columns": ["status"], "params": {"values": ["placed", "shipped"]}},
        {"unexpected_count": 3, "unexpected_values": ["lost", None, "Placed"]},
    ),
    "accepted_range": (
        {"columns": ["amount"], "params": {"min_value": 0, "max_value": 10000}},
        {"unexpected_count": 1, "unexpected_values": [-5]},
    ),
    "relationships": (
        {"columns": ["country_code"], "params": {"to": "seed.pef_shop.country_codes", "field": "code"}},
        {"unexpected_count": 2, "unexpected_values": ["XX", "ZZ"]},
    ),
    "expression_is_true": (
        {"params": {"expression": "payment_total >= order_amount"}, "where": "status <> 'placed'"},
        {"unexpected_count": 1, "unexpected_values": [1042]},
    ),
    "unique_combination": (
        {"columns": ["order_id", "product_id"]},
        {"unexpected_count": 2, "unexpected_values": [{"order_id": 1, "product_id": 9}]},
    ),
    "not_null_proportion": ({"columns": ["email"], "params": {"at_least": 0.95}}, {"unexpected_count": 40}),
    "recency": (
        {"columns": ["loaded_at"], "params": {"datepart": "day", "interval": 1}, "severity": "warn"},
        {"unexpected_count": 1, "unexpected_values": ["2026-11-27T12:00:00"]},
    ),
    "freshness": (
        {"columns": ["_loaded_at"], "params": {"datepart": "hour", "interval": 12}},
        {"unexpected_count": 1, "unexpected_values": ["2026-11-29 06:00:00"]},
    ),
    "row_count_between": ({"params": {"min_value": 1000, "max_value": 50000}}, {"element_count": 812}),
    "match_regex": (
        {"columns": ["email"], "params": {"regex": "^[^@]+@[^@]+$"}},
        {"unexpected_count": 1, "unexpected_values": ["bob.example.com"]},
    ),
    "data_type": (
        {"columns": ["country_code"], "params": {"type": "varchar(2)"}},
        {"message": "observed type TEXT"},
    ),
    "table_columns": (
        {"params": {"columns": ["order_id", "amount"]}},
        {"message": 'observed ["order_id"]'},
    ),
    "column_type": (
        {"columns": ["amount"], "params": {"family": "numeric"}},
        {"message": 'observed "VARCHAR"'},
    ),
    "equal_rowcount": (
        {"params": {"compare_model": "model.pef_shop.stg_orders"}},
        {"unexpected_values": [1999]},
    ),
    "sequential_values": (
        {"columns": ["invoice_no"], "params": {"interval": 1}},
        {"unexpected_count": 1, "unexpected_values": [105]},
    ),
    "unexpected_rows": (
        {
            "description": "Payments of every shipped order cover its amount.",
            "origin": {"type": "dbt_test", "ref": "test.pef_shop.assert_payments_cover_order_amount"},
            "params": {"query": "select * from {batch} where x"},
        },
        {"unexpected_count": 3, "unexpected_values": [{"order_id": 7, "payment_total": None}]},
    ),
    "build_time": ({"params": {"warn_after": 30.0, "error_after": 60.0}}, {"message": "built in 41.2s"}),
    "quality_score": ({"params": {"dimension": "completeness", "min": 99.0}}, {"message": "score 97.5"}),
    "query_time": (
        {"params": {"name": "lookup_by_customer", "max_ms": 500.0, "repeat": 5}},
        {"message": "median 812 ms"},
    ),
    "gx_native": (
        {
            "columns": ["amount"],
            "params": {
                "expectation_type": "expect_column_mean_to_be_between",
                "kwargs": {"column": "amount", "min_value": 10, "max_value": 90},
            },
        },
        {"message": "observed 97.2"},
    ),
}


def _meta(kind: str) -> dict[str, Any]:
    meta = {"kind": kind, "columns": [], "params": {}, "severity": "error", **CASES[kind][0]}
    return meta


def _render_all() -> str:
    lines = []
    for kind in sorted(CASES):
        meta = _meta(kind)
        failing = {
            "status": "warn" if meta["severity"] == "warn" else "fail",
            "element_count": 500,
            **CASES[kind][1],
        }
        # as the engine reports a pass: table-level checks carry no unexpected count
        clean = 0 if KINDS[kind].level == "row" and kind != "gx_native" else None
        passing = {"status": "pass", "element_count": 500, "unexpected_count": clean}
        fail_words = words_for(meta, failing, now=NOW)
        pass_words = words_for(meta, passing, now=NOW)
        lines += [
            f"[{kind}]",
            f"rule:     {fail_words.rule}",
            f"passing:  {pass_words.observed}",
            f"failing:  {fail_words.observed}",
            f"examples: {', '.join(fail_words.examples) or '-'}",
            "",
        ]
    for status, message in (
        ("error", "relation main.sales does not exist"),
        ("stale", "not rebuilt: upstream failed"),
    ):
        words = words_for(_meta("not_null"), {"status": status, "message": message}, now=NOW)
        lines += [f"[not_null, {status}]", f"observed: {words.observed}", ""]
    return "\n".join(lines)


def test_golden_check_sentences_of_every_kind() -> None:
    assert set(CASES) == set(KINDS)  # a new kind needs its sentence (and a golden line)
    text = _render_all()
    assert "{ref:" not in text and "{batch}" not in text
    assert_golden("check_sentences.txt", text, GOLDEN)


def test_sentences_say_things_in_the_same_terms() -> None:
    recency = _meta("recency")
    words = words_for(recency, {"status": "warn", "unexpected_values": ["2026-11-27T12:00:00"]}, now=NOW)
    assert words.observed == "latest row 3 days old, warn after 1 day"
    proportion = words_for(
        _meta("not_null_proportion"), {"status": "fail", "element_count": 500, "unexpected_count": 40}
    )
    assert proportion.rule.startswith("at least 95% of `email`") and proportion.observed.startswith(
        "92% filled in"
    )
    nulls = words_for(
        _meta("not_null"),
        {"status": "fail", "element_count": 500, "unexpected_count": 4, "unexpected_values": []},
    )
    assert nulls.examples == ("NULL",)  # the examples of a not-null failure are NULLs, shown as NULL
    assert "seed country_codes" in words_for(_meta("relationships"), None).rule
    assert relation_name("source.pef_shop.shop.raw_orders") == "source shop.raw_orders"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(59, "59 seconds"), (3600, "1 hour"), (3 * 86400, "3 days"), (36500 * 86400, "100 years")],
)
def test_span_text(seconds: float, text: str) -> None:
    assert span_text(seconds) == text


def test_values_show_null_as_null() -> None:
    assert [value_text(v) for v in (None, "x", 3, 2.5, True)] == ["NULL", "'x'", "3", "2.5", "true"]


def test_gx_renderers_use_the_sentences() -> None:
    """GX's renderer registry (the hook Data Docs render through) returns pef-gx's words for pef-gx checks
    and GX's own rendering for a hand-written expectation without pef-gx meta."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.expectations.registry import get_renderer_impl

    from pef_gx.validation.renderers import OBSERVED, PRESCRIPTIVE, STATUS_ICON, install

    install()
    meta = {**_meta("not_null"), "columns": ["email"], "severity": "warn", "dimension": "completeness"}
    config = ExpectationConfiguration(
        type="expect_column_values_to_not_be_null", kwargs={"column": "email"}, meta={"pef_gx": meta}
    )
    result = ExpectationValidationResult(
        success=False,
        expectation_config=config,
        result={"element_count": 500, "unexpected_count": 4, "partial_unexpected_list": [None, None]},
    )
    rule = get_renderer_impl("expect_column_values_to_not_be_null", PRESCRIPTIVE)[1](configuration=config)
    assert rule[0].string_template["params"]["rule"] == "email is never NULL"
    observed = get_renderer_impl("expect_column_values_to_not_be_null", OBSERVED)[1](result=result)
    assert observed == "4 of 500 rows (0.8%) NULL; e.g. NULL"
    icon = get_renderer_impl("expect_column_values_to_not_be_null", STATUS_ICON)[1](result=result)
    assert icon.string_template["params"]["icon"] == "⚠"  # warn severity: not the red cross

    plain = ExpectationConfiguration(type="expect_column_values_to_not_be_null", kwargs={"column": "email"})
    gx_own = get_renderer_impl("expect_column_values_to_not_be_null", PRESCRIPTIVE)[1](configuration=plain)
    assert "email" in str(gx_own[0].to_json_dict()) and "never NULL" not in str(gx_own[0].to_json_dict())
