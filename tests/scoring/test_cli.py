"""`pef-gx score` and `pef-gx badge` as a user runs them (real subprocess): exit codes, messages, files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.scoring.factory import check, run, shop_checks


def _write_run(folder: Path, validation_run, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{validation_run.run_id}.json")
    path.write_text(json.dumps(validation_run.to_dict()), encoding="utf-8")
    return path


@pytest.fixture
def results_ws(tmp_path: Path) -> Path:
    """A folder with a results history (.pef-gx/results/) and no dbt project: scoring needs only results."""
    results = tmp_path / ".pef-gx" / "results"
    older = run(
        [replace(c, status="pass", unexpected_count=0) for c in shop_checks()],
        "run-0",
        started_at="2026-11-25T10:00:00Z",
    )
    _write_run(results, older)
    current = run(shop_checks(), "run-1")
    _write_run(results, current)
    _write_run(results, current, "latest.json")
    return tmp_path


def test_score_text_table_by_default(results_ws: Path):
    result = run_cli("score", "--no-html", cwd=results_ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pef-gx scores: pef_shop, run run-1 on duckdb")
    assert "timeliness    not measured" in result.stdout
    assert "overall               86.6" in result.stdout


def test_score_json_is_machine_readable_and_reproducible(results_ws: Path):
    first = run_cli("score", "--format", "json", "--no-html", cwd=results_ws)
    second = run_cli(
        "score", "--format", "json", "--no-html", "--results", ".pef-gx/results/run-1.json", cwd=results_ws
    )
    assert first.returncode == 0 and second.returncode == 0
    data = json.loads(first.stdout)
    assert data["kind"] == "pef-gx-scores" and data["overall"] == pytest.approx(86.61, abs=0.01)
    assert data["dimensions"]["timeliness"] == {
        "score": None,
        "measured": False,
        "checks": 0,
        "failing": 0,
        "coverage": {"models": {"covered": 0, "total": 5}, "columns": {"covered": 0, "total": 8}},
    }
    assert first.stdout == second.stdout


@pytest.mark.parametrize(("threshold", "code"), [("86", 0), ("86.6", 0), ("90", 1), ("100", 1), ("0", 0)])
def test_fail_under_exit_codes(results_ws: Path, threshold: str, code: int):
    result = run_cli("score", "--no-html", "--fail-under", threshold, cwd=results_ws)
    assert result.returncode == code, result.stderr
    if code:
        assert f"below --fail-under {threshold}" in result.stderr


def test_fail_under_out_of_range_is_exit_2(results_ws: Path):
    result = run_cli("score", "--no-html", "--fail-under", "120", cwd=results_ws)
    assert result.returncode == 2
    assert (
        "Invalid value for '--fail-under'" in result.stderr and "less than or equal to 100" in result.stderr
    )


def test_markdown_against_a_baseline_saved_with_out(results_ws: Path, tmp_path: Path):
    baseline = tmp_path / "main-scores.json"
    saved = run_cli(
        "score",
        "--no-html",
        "--results",
        ".pef-gx/results/run-0.json",
        "--out",
        str(baseline),
        cwd=results_ws,
    )
    assert saved.returncode == 0, saved.stderr
    assert json.loads(baseline.read_text())["run_id"] == "run-0"
    result = run_cli(
        "score", "--no-html", "--format", "markdown", "--baseline", str(baseline), cwd=results_ws
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!-- pef-gx-report -->\n")
    assert "### Data quality: 86.6 ▼ -13.4" in result.stdout
    assert "**Newly failing (5)**" in result.stdout
    assert "compared with main run `run-0`" in result.stdout


def test_a_results_file_works_as_baseline_too(results_ws: Path):
    result = run_cli(
        "score", "--no-html", "--format", "json", "--baseline", ".pef-gx/results/run-0.json", cwd=results_ws
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["comparison"]["baseline_run_id"] == "run-0"


def test_missing_baseline_is_a_clear_error(results_ws: Path):
    result = run_cli(
        "score", "--no-html", "--baseline", "main-scores.json", "--out", "new.json", cwd=results_ws
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: baseline main-scores.json not found")
    assert "pef-gx score --out main-scores.json" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (results_ws / "new.json").exists()  # nothing half-written


def test_baseline_from_another_project_is_a_clear_error(results_ws: Path):
    other = _write_run(
        results_ws / "elsewhere",
        run([check("x", "unique", ("a",), project="web")], "w-1", project="web_analytics"),
    )
    result = run_cli("score", "--no-html", "--baseline", str(other), cwd=results_ws)
    assert result.returncode == 2
    assert "baseline is from project 'web_analytics', these results from 'pef_shop'" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("content", ["{not json", '{"kind": "something else"}', "[]"])
def test_unreadable_baseline_is_a_clear_error(results_ws: Path, content: str):
    (results_ws / "bad.json").write_text(content)
    result = run_cli("score", "--no-html", "--baseline", "bad.json", cwd=results_ws)
    assert result.returncode == 2 and result.stderr.startswith("error: baseline bad.json")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_results_file_says_to_build_first(tmp_path: Path):
    result = run_cli("score", cwd=tmp_path)
    assert result.returncode == 2
    assert "latest.json not found" in result.stderr and "run `pef-gx build` first" in result.stderr
    assert "`pef-gx generate`" in result.stderr


def test_unknown_format_suggests(results_ws: Path):
    result = run_cli("score", "--format", "markdwn", cwd=results_ws)
    assert result.returncode == 2 and "did you mean 'markdown'" in result.stderr


def test_score_writes_html_page_beside_data_docs(results_ws: Path):
    result = run_cli("score", cwd=results_ws)
    assert result.returncode == 0, result.stderr
    page = results_ws / "gx" / "uncommitted" / "data_docs" / "local_site" / "pef-gx-scores.html"
    assert f"scores page: {page}" in result.stderr
    html = page.read_text()
    assert "Data quality scores: pef_shop" in html and 'id="trend"' in html  # two runs: a trend


def test_badge_writes_svgs_and_endpoint_json(results_ws: Path):
    result = run_cli("badge", "--out", "badges", cwd=results_ws)
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (results_ws / "badges").iterdir())
    dims = ["accuracy", "completeness", "consistency", "overall", "timeliness", "uniqueness", "validity"]
    assert files == sorted([f"{d}.svg" for d in dims] + [f"{d}.json" for d in dims])
    for svg in (results_ws / "badges").glob("*.svg"):
        ET.parse(svg)  # every SVG parses
    assert json.loads((results_ws / "badges" / "timeliness.json").read_text())["message"] == "not measured"
    assert "#9f9f9f" in (results_ws / "badges" / "timeliness.svg").read_text()


def test_badge_default_folder_and_bad_out(results_ws: Path):
    assert run_cli("badge", cwd=results_ws).returncode == 0
    assert (results_ws / ".pef-gx" / "badges" / "overall.svg").is_file()
    (results_ws / "a-file").write_text("x")
    result = run_cli("badge", "--out", "a-file", cwd=results_ws)
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    assert (results_ws / "a-file").read_text() == "x"


def test_missing_manifest_is_a_clear_error(results_ws: Path):
    result = run_cli("score", "--no-html", "--manifest", "nope/manifest.json", cwd=results_ws)
    assert result.returncode == 2
    assert "nope/manifest.json not found" in result.stderr and result.stdout == ""


def test_trend_skips_damaged_files_and_other_projects(results_ws: Path):
    results = results_ws / ".pef-gx" / "results"
    (results / "broken.json").write_text('{"run_id": "x", "checks": [')
    _write_run(results, run([check("x", "unique", ("a",), project="web")], "w-1", project="web_analytics"))
    result = run_cli("score", cwd=results_ws)
    assert result.returncode == 0, result.stderr
    html = (results_ws / "gx" / "uncommitted" / "data_docs" / "local_site" / "pef-gx-scores.html").read_text()
    assert "runs (2)" in html and "w-1" not in html  # run-0 and run-1 (latest.json is run-1 again)


def test_outputs_are_readable_files_and_a_bad_out_path_is_exit_2(results_ws: Path):
    assert run_cli("score", "--out", "scores.json", cwd=results_ws).returncode == 0
    page = results_ws / "gx" / "uncommitted" / "data_docs" / "local_site" / "pef-gx-scores.html"
    for path in (results_ws / "scores.json", page):
        assert path.stat().st_mode & 0o777 == 0o644
    (results_ws / "blocker").write_text("x")
    result = run_cli("score", "--no-html", "--out", "blocker/scores.json", cwd=results_ws)
    assert result.returncode == 2 and result.stderr.startswith("error: cannot write blocker/scores.json")
    assert result.stdout == ""
