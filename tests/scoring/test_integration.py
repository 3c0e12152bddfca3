"""Scores of real `pef-gx build` runs of the sample project (DuckDB): generate, build (main), save the
baseline, make the data worse and better, build again (the PR), score against main, badges, page."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import copy_workspace, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ws = copy_workspace(tmp_path_factory.mktemp("scoring") / "ws")
    # meta overrides the dimension: Elementary's key on one test, pef-gx's own on another
    staging = ws / "dbt_project" / "models" / "staging" / "_staging.yml"
    text = staging.read_text()
    old_name = "      - name: product_name\n        description: Product name.\n        data_tests:\n          - not_null\n"
    old_category = '          - accepted_values:\n              arguments:\n                values: ["Books"'
    assert text.count(old_name) == 1 and text.count(old_category) == 1
    text = text.replace(
        old_name,
        old_name.replace(
            "- not_null\n",
            "- not_null:\n              config:\n                meta: {quality_dimension: accuracy}\n",
        ),
    )
    text = text.replace(
        old_category,
        "          - accepted_values:\n              config:\n                meta: {pef_gx: {dimension: consistency}}\n"
        '              arguments:\n                values: ["Books"',
    )
    staging.write_text(text)
    generated = run_cli("generate", "--parse", cwd=ws)
    assert generated.returncode == 0, generated.stderr
    main_build = run_cli("build", "--quiet", cwd=ws)
    assert (ws / ".pef-gx" / "results" / "latest.json").is_file(), main_build.stdout + main_build.stderr
    main_results = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())
    saved = run_cli("score", "--no-html", "--out", "main-scores.json", cwd=ws)
    assert saved.returncode == 0, saved.stderr
    # The PR: product 2 duplicated (unique breaks), product 999 added (the orphan order line is fixed).
    with (ws / "dbt_project" / "seeds" / "raw_products.csv").open("a") as seed:
        seed.write("2,Eco Novel Copy,Books,25.99\n999,Mystery Box,Books,9.99\n")
    pr_build = run_cli("build", "--quiet", cwd=ws)
    pr_results = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())
    assert pr_results["run_id"] != main_results["run_id"]
    return {"ws": ws, "main": main_results, "pr": pr_results, "pr_build": pr_build}


def test_pr_build_with_a_new_error_failure_exits_1(built):
    assert built["pr_build"].returncode == 1


def test_score_of_a_real_results_file(built):
    ws = built["ws"]
    main_file = f".pef-gx/results/{built['main']['run_id']}.json"
    first = run_cli("score", "--no-html", "--format", "json", "--results", main_file, cwd=ws)
    again = run_cli("score", "--no-html", "--format", "json", "--results", main_file, cwd=ws)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout  # reproducible from the results file
    scores = json.loads(first.stdout)
    assert scores["project"] == "pef_shop" and scores["checks_total"] == len(built["main"]["checks"])
    # the quality-score and performance tests are listed with the run's checks but never scored
    unscored = ("quality_score", "build_time", "query_time")
    scored = [c for c in built["main"]["checks"] if c["kind"] not in unscored and c["status"] != "stale"]
    assert 0 < len(scored) < len(built["main"]["checks"])
    assert sum(d["checks"] for d in scores["dimensions"].values()) == len(scored)
    assert scores["universe"]["source"] == "results+manifest"  # the project's manifest widened coverage
    assert 0 < scores["overall"] < 100  # the planted defects cost something
    for dim in scores["dimensions"].values():
        assert (dim["score"] is None) == (dim["checks"] == 0)
        assert dim["score"] is None or 0 <= dim["score"] <= 100
    # the planted NULL emails: completeness is below 100 and the check is listed with its counts
    email = [
        c
        for c in scores["checks"]
        if c["kind"] == "not_null" and c["columns"] == ["email"] and c["node_name"] == "stg_customers"
    ]
    assert email and email[0]["status"] != "pass" and email[0]["unexpected_count"] == 4
    assert scores["dimensions"]["completeness"]["score"] < 100


def test_meta_overrides_reach_the_scores(built):
    scores = json.loads(run_cli("score", "--no-html", "--format", "json", cwd=built["ws"]).stdout)
    dims = {(c["node_name"], c["kind"], tuple(c["columns"])): c["dimension"] for c in scores["checks"]}
    assert dims[("stg_products", "not_null", ("product_name",))] == "accuracy"  # quality_dimension
    assert dims[("stg_products", "accepted_values", ("category",))] == "consistency"  # pef_gx.dimension
    assert dims[("stg_products", "not_null", ("product_id",))] == "completeness"  # the default


def test_pr_comment_against_the_main_baseline(built):
    result = run_cli(
        "score", "--no-html", "--format", "markdown", "--baseline", "main-scores.json", cwd=built["ws"]
    )
    assert result.returncode == 0, result.stderr
    comment = result.stdout
    assert comment.startswith("<!-- pef-gx-report -->\n### Data quality: ")
    uniqueness = next(line for line in comment.splitlines() if line.startswith("| uniqueness |"))
    assert "▼" in uniqueness, comment  # the duplicated product costs uniqueness
    # the seed's error-severity unique test fails, so dbt skips what is built on raw_products: those
    # models are stale (not scored, listed), not validated on the tables of the main build
    assert "3 models stale" in comment and "`stg_products`: not rebuilt" in comment
    failing = comment.split("**Newly failing")[1].split("**Newly passing")[0]
    passing = comment.split("**Newly passing")[1].split("**Worst models")[0]
    assert "`unique on raw_products.product_id`" in failing
    assert "build_time" not in failing  # a model dbt skipped has no build time: not run, not failing
    assert "`relationships on stg_order_items.product_id`" in passing
    assert f"compared with main run `{built['main']['run_id']}`" in comment


@pytest.mark.parametrize(("threshold", "code"), [("50", 0), ("99.5", 1)])
def test_fail_under_on_real_results(built, threshold, code):
    assert run_cli("score", "--no-html", "--fail-under", threshold, cwd=built["ws"]).returncode == code


def test_badges_and_scores_page_of_the_real_run(built):
    ws = built["ws"]
    assert run_cli("badge", cwd=ws).returncode == 0
    svgs = sorted((ws / ".pef-gx" / "badges").glob("*.svg"))
    assert len(svgs) == 7
    for svg in svgs:
        ET.parse(svg)
    result = run_cli("score", cwd=ws)
    assert result.returncode == 0, result.stderr
    index = Path(built["pr"]["data_docs_index"])
    page = index.parent / "pef-gx-scores.html"  # beside Data Docs
    html = page.read_text()
    assert 'id="trend"' in html and "runs (2)" in html and 'href="index.html"' in html


def test_scoring_never_imports_gx_or_dbt(built):
    code = (
        "import sys; from pathlib import Path; from pef_gx.settings import load_settings;"
        "from pef_gx.reporting import service;"
        "o = service.score(load_settings(cwd=Path('.')));"
        "service.render(o, 'markdown'); service.write_badges(o.view, Path('b'));"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('great_expectations', 'dbt')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=built["ws"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
