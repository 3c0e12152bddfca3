"""Issue 9 without a warehouse: stale checks are not scored and say so everywhere; freshness reads as a
lag; NULL is NULL; a warning names its threshold; dbt's real error line; a run that validated nothing
keeps latest.json; the history records what a run was."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

from pef_gx.observability.history import run_status
from pef_gx.reporting.markdown import render_markdown
from pef_gx.reporting.text import render_text
from pef_gx.reporting.view import build_view
from pef_gx.results.describe import lag_text, sql_values, threshold_text
from pef_gx.results.model import DbtNodeRun, ValidationRun
from pef_gx.results.writer import LATEST, results_dir, write_run
from pef_gx.runner.build_summary import error_detail
from pef_gx.scoring.compute import score_run
from tests.scoring.factory import check, run

REASON = "not rebuilt: upstream stg_orders failed"


def _stale(c):
    return dataclasses.replace(c, status="stale", message=REASON, element_count=None, unexpected_count=None)


def _runs() -> tuple[ValidationRun, ValidationRun]:
    """The same checks once all current, once with fct_orders not rebuilt (its checks stale)."""
    fresh = [
        check("stg_customers", "not_null", ("email",), "completeness"),
        check("fct_orders", "not_null", ("order_id",), "completeness", status="fail", unexpected=50),
        check("fct_orders", "unique", ("order_id",), "uniqueness"),
    ]
    stale = [fresh[0], *(_stale(c) for c in fresh[1:])]
    return run(fresh), run(stale, run_id="run-2")


def test_stale_checks_are_not_measured_and_the_score_says_how_many_models_are_stale() -> None:
    current, stale = _runs()
    report = score_run(stale)
    assert report.overall == 100.0  # only stg_customers measured; the failing fct_orders check did not run
    assert report.dimensions["uniqueness"].score is None  # its only check is stale: not measured, not 100
    assert [c.status for c in report.failing] == []
    assert len(report.stale) == 2
    fct = next(m for m in report.models if m.name == "fct_orders")
    assert fct.score is None and fct.stale == REASON
    assert report.to_dict()["models_stale"] == 1 and report.to_dict()["checks_stale"] == 2
    assert score_run(current).overall < 100.0


def test_text_and_markdown_name_the_stale_models_and_their_reason() -> None:
    view = build_view(score_run(_runs()[1]))
    text = render_text(view)
    assert "1 model stale" in text and "2 checks not run and not scored" in text
    assert f"fct_orders: {REASON}" in text
    assert "models without checks" not in text  # a stale model has checks; they just did not run
    markdown = render_markdown(view)
    assert "1 model stale" in markdown and "upstream stg\\_orders failed" in markdown
    assert "| **overall** | **100** | 1 |" in markdown  # the checks column counts what ran


def test_freshness_reads_as_a_lag_against_its_threshold_not_as_rows() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    text = lag_text(False, "2026-11-27 07:12:00", now, "warn", "day", 1)
    assert text.startswith("latest row 3.2 days old") and text.endswith("warn after 1 day")
    assert "NULL" in lag_text(False, None, now, "error", "hour", 6)
    assert (
        lag_text(True, None, now, "error", "hour", 6) == "latest row within the limit (error after 6 hours)"
    )
    fresh = check("raw_orders", "freshness", ("_loaded_at",), "timeliness", status="warn", level="table")
    fresh = dataclasses.replace(
        fresh, element_count=2001, unexpected_count=1, message=f"{text}; severity warn"
    )
    view = build_view(score_run(run([fresh])))
    line = view.failing[0]
    assert "rows" not in line.detail and "3.2 days old" in line.detail and "warn after 1 day" in line.detail


def test_null_is_null_and_a_warning_names_its_threshold() -> None:
    assert sql_values([None, 1, "a", True]) == "NULL, 1, a, true"
    assert threshold_text("warn", "error", ">0", ">10") == "warn_if >0 met, error_if >10 not"
    assert threshold_text("warn", "warn", "!=0", "!=0") == "severity warn"
    assert threshold_text("pass", "error", ">0", ">10") is None
    warned = dataclasses.replace(
        check("stg_customers", "not_null", ("email",), "completeness", status="warn", unexpected=4),
        message="4 unexpected of 100 rows; warn_if >0 met, error_if >10 not",
    )
    line = build_view(score_run(run([warned]))).failing[0]
    assert line.detail == "4 of 100 rows unexpected (warn_if >0 met, error_if >10 not)"


def test_the_build_summary_keeps_the_line_that_names_the_column() -> None:
    duckdb = (
        "Runtime Error in model stg_orders (models/staging/stg_orders.sql)\n"
        '  Binder Error: Referenced column "customer_idd" not found in FROM clause!\n'
        '  Candidate bindings: "customer_id", "order_id"\n  \n'
        "  LINE 22:     cast(customer_idd as integer) as customer_id,\n                    ^"
    )
    assert error_detail(duckdb) == (
        'Binder Error: Referenced column "customer_idd" not found in FROM clause!'
        " | LINE 22: cast(customer_idd as integer) as customer_id,"
    )
    postgres = (
        "Database Error in model stg_orders (models/staging/stg_orders.sql)\n"
        '  column "customer_idd" does not exist\n  LINE 22:     cast(customer_idd as integer) ...\n'
        '  HINT:  Perhaps you meant to reference the column "ranked.customer_id".\n'
        "  compiled code at target/run/pef_shop/models/staging/stg_orders.sql"
    )
    detail = error_detail(postgres)
    assert detail.startswith('column "customer_idd" does not exist') and "HINT" in detail
    assert "compiled code" not in detail


def test_a_run_that_validated_nothing_keeps_latest_json(tmp_path: Path) -> None:
    current = _runs()[0]
    write_run(current, tmp_path)
    nothing = run([_stale(c) for c in current.checks], run_id="run-3")
    path = write_run(nothing, tmp_path)
    assert path.is_file()  # the run keeps its own file
    latest = json.loads((results_dir(tmp_path) / LATEST).read_text())
    assert latest["run_id"] == current.run_id
    empty = run([], run_id="run-4")
    write_run(empty, tmp_path)
    assert json.loads((results_dir(tmp_path) / LATEST).read_text())["run_id"] == current.run_id


def test_the_history_records_what_a_run_was() -> None:
    current, stale = _runs()
    assert run_status(current) == "failed"
    assert run_status(stale) == "stale"
    assert run_status(run([])) == "unchecked"
    built_nothing_checked = run([])
    built_nothing_checked.dbt_nodes = [DbtNodeRun("model.p.a", "success", 1.0)]
    assert run_status(built_nothing_checked) == "unchecked"
