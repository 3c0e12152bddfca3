"""Baseline comparison and the renderers (markdown PR comment, badges, text, JSON) with golden files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from pef_gx.reporting.badge import badge_files, render_svg, text_width
from pef_gx.reporting.markdown import MARKER, md_escape, render_markdown
from pef_gx.reporting.text import render_text
from pef_gx.reporting.view import build_view, delta_text, grade
from pef_gx.scoring import BaselineError, compare, score_run
from tests.scoring.factory import check, run, shop_checks
from tests.scoring.golden_util import assert_golden

SVG = "{http://www.w3.org/2000/svg}"


def _baseline_checks():
    """main: the accuracy rule passed, the relationship passed, fct_orders' row count check ran fine,
    and the email check had one more NULL."""
    out = []
    for c in shop_checks():
        if c.kind in ("expression_is_true", "relationships"):
            c = replace(c, status="pass", unexpected_count=0)
        elif c.kind == "equal_rowcount":
            c = replace(c, status="pass")
        elif c.columns == ("email",):
            c = replace(c, unexpected_count=5)
        out.append(c)
    out.append(
        check(
            "stg_orders",
            "not_null",
            ("customer_id",),
            "completeness",
            status="fail",
            unexpected=3,
            evaluated=2000,
        )
    )
    return out


def _pr_checks():
    out = [c for c in shop_checks() if c.kind != "accepted_range"]
    out.append(check("stg_payments", "accepted_range", ("amount",), "validity"))  # fixed: now passes
    out.append(check("stg_orders", "not_null", ("customer_id",), "completeness"))  # fixed on the PR
    return out


@pytest.fixture
def pr_view():
    current = score_run(run(_pr_checks(), run_id="pr-42"))
    baseline = score_run(run(_baseline_checks(), run_id="main-7"))
    return build_view(current, compare(current, baseline), docs_url="https://example.test/artifacts/1")


def test_compare_deltas_and_changed_checks():
    current = score_run(run(_pr_checks(), run_id="pr-42"))
    baseline = score_run(run(_baseline_checks(), run_id="main-7"))
    result = compare(current, baseline)
    failing = {c.label for c in result.newly_failing}
    passing = {c.label for c in result.newly_passing}
    assert failing == {
        "expression_is_true on stg_customers.updated_at",
        "relationships on stg_order_items.product_id",
        "equal_rowcount on fct_orders",
    }
    assert passing == {"not_null on stg_orders.customer_id", "accepted_range on stg_payments.amount"}
    assert result.overall_delta < 0
    assert result.dimension_deltas["timeliness"] is None
    assert result.dimension_deltas["consistency"] == pytest.approx((1 - 1 / 5000) / 3 * 100 - 100)
    assert result.removed_checks == 0 and result.added_checks == 0


def test_a_new_failing_check_counts_as_newly_failing():
    baseline = score_run(run([check("m", "unique", ("a",))]))
    current = score_run(
        run([check("m", "unique", ("a",)), check("m", "not_null", ("a",), status="fail", unexpected=1)])
    )
    result = compare(current, baseline)
    assert [c.kind for c in result.newly_failing] == ["not_null"]
    assert result.added_checks == 1


def test_baseline_of_another_project_is_refused():
    current = score_run(run(shop_checks()))
    other = score_run(run([check("x", "unique", ("a",), project="other")], project="other_shop"))
    with pytest.raises(BaselineError, match="from project 'other_shop'"):
        compare(current, other)


def test_delta_text_is_signed_with_arrows():
    assert delta_text(1.25) == ("▲", "+1.2") or delta_text(1.25) == ("▲", "+1.3")
    assert delta_text(-0.34) == ("▼", "-0.3")
    assert delta_text(0.01) == ("=", "±0.0")
    assert delta_text(None) == ("", "")


def test_grade_thresholds():
    assert grade(100)[0] == "brightgreen"
    assert grade(94.99)[0] == "green"
    assert grade(85)[0] == "yellowgreen"
    assert grade(75)[0] == "yellow"
    assert grade(65)[0] == "orange"
    assert grade(10)[0] == "red"
    assert grade(None)[0] == "lightgrey"


def test_golden_pr_comment_with_baseline(pr_view):
    markdown = render_markdown(pr_view, version="TEST")
    assert markdown.startswith(MARKER + "\n")
    assert "▼" in markdown and "Newly failing (3)" in markdown and "Newly passing (2)" in markdown
    assert "https://example.test/artifacts/1" in markdown
    assert_golden("pr_comment.md", markdown)


def test_golden_pr_comment_without_baseline():
    markdown = render_markdown(build_view(score_run(run(shop_checks()))), version="TEST")
    assert "vs main" not in markdown and "Failing checks (5)" in markdown
    assert_golden("pr_comment_no_baseline.md", markdown)


def test_golden_text_table(pr_view):
    assert_golden("scores.txt", render_text(pr_view))


def test_golden_badges(pr_view):
    files = {f.name: f.content for f in badge_files(pr_view)}
    assert set(files) == {
        f"{k}.{ext}" for k in ["overall", *[r.key for r in pr_view.dimensions]] for ext in ("svg", "json")
    }
    assert_golden("badge_overall.svg", files["overall.svg"])
    assert_golden("badge_timeliness.svg", files["timeliness.svg"])
    assert_golden("badge_overall.json", files["overall.json"])


def test_every_badge_is_valid_svg_with_its_text_and_sizes(pr_view):
    for badge in badge_files(pr_view):
        if badge.name.endswith(".json"):
            data = json.loads(badge.content)
            assert data["schemaVersion"] == 1 and data["label"] and data["message"] and data["color"]
            continue
        root = ET.fromstring(badge.content)
        assert root.tag == f"{SVG}svg" and root.get("height") == "20"
        width = int(root.get("width"))
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert len(texts) == 4 and texts[0] == texts[1] and texts[2] == texts[3]
        rects = [r for r in root.find(f"{SVG}g").iter(f"{SVG}rect") if r.get("fill", "").startswith("#")]
        label_w, message_w = int(rects[0].get("width")), int(rects[1].get("width"))
        assert label_w + message_w == width
        assert label_w >= text_width(texts[0]) + 8 and message_w >= text_width(texts[2]) + 8
        assert root.find(f"{SVG}title").text == f"{texts[0]}: {texts[2]}"


def test_badge_escapes_and_stays_parseable():
    svg = render_svg('a<b>&"c', "x & y", "#e05d44", ident="weird id!")
    root = ET.fromstring(svg)
    assert next(t.text for t in root.iter(f"{SVG}text")) == 'a<b>&"c'


def test_badge_width_grows_with_text():
    assert text_width("not measured") > text_width("99.9") > 0
    assert ET.fromstring(render_svg("data quality", "not measured", "#9f9f9f")).get("width") > "0"


def test_markdown_escapes_untrusted_names():
    evil = check("m|x", "not_null", ("a`b<script>",), status="fail", unexpected=1)
    markdown = render_markdown(build_view(score_run(run([evil]))), version="TEST")
    # untrusted names only ever appear inside code spans (rendered literally), pipes escaped in tables
    assert "<script>" not in markdown.replace("`not_null on m|x.a'b<script>`", "")
    assert "`m\\|x`" in markdown
    assert md_escape("*bold* [l](u) |") == "\\*bold\\* \\[l\\](u) \\|"


def test_docs_url_cannot_break_the_link():
    view = build_view(score_run(run(shop_checks())), docs_url="https://x.test/a (b)<c>")
    assert "(https://x.test/a%20%28b%29%3Cc>)" in render_markdown(view, version="TEST")
