"""`pef-gx health` in text, JSON and HTML; the HTML page beside Data Docs, checked in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pef_gx.observability.history import record_run
from tests.browser import chromium_output
from tests.conftest import run_cli
from tests.observability.helpers import make_run, settings_for

STG, FCT, TEST = "model.pef_shop.stg_orders", "model.pef_shop.fct_orders", "test.pef_shop.not_null_x.1"


_chromium = chromium_output


@pytest.fixture
def history(tmp_path: Path) -> Path:
    (tmp_path / "pef-gx.yml").write_text("health:\n  regression_min_seconds: 1.0\n")
    settings = settings_for(tmp_path)
    for i in range(8):
        failing = i in (3, 6)
        nodes = {
            STG: ("error" if failing else "success", 0.2),
            FCT: ("success", 30.0 if i == 7 else 10.0),
            TEST: ("fail" if i % 2 else "pass", 0.1),
        }
        record_run(
            settings,
            make_run(i, nodes, {"gx-a": "pass"}, rows={FCT: 800 if i == 7 else 5000 + i}),
            scores={"overall": 90.0 - i},
        )
    return tmp_path


def test_health_text_and_json(history: Path) -> None:
    text = run_cli("health", cwd=history)
    assert text.returncode == 0, text.stderr
    assert (
        "8 runs from" in text.stdout and "runs succeeded: 38% (5 failed"
    )  # 2 model errors + 3 error tests in text.stdout
    assert "fct_orders: 30.00s vs median 10.00s (+20.00s)" in text.stdout
    assert "not_null_x (dbt_test): 7 flips, PFPFPFPF" in text.stdout
    assert "fct_orders rows = 800" in text.stdout
    assert "[dominant_model] fct_orders takes 97% of the build time" in text.stdout
    data = json.loads(run_cli("health", "--format", "json", cwd=history).stdout)
    assert data["runs"] == 8 and data["overall"]["failed"] == 5
    assert [s["score"] for s in data["scores"]][-1] == 83.0
    since = json.loads(run_cli("health", "--since", "3d", "--format", "json", cwd=history).stdout)
    assert since["runs"] == 0  # the synthetic runs are 53-60 days old
    since = json.loads(run_cli("health", "--since", "60d", "--format", "json", cwd=history).stdout)
    assert 0 < since["runs"] <= 8


@pytest.mark.integration
@pytest.mark.browser
def test_health_page_beside_data_docs_in_chromium(history: Path, tmp_path: Path) -> None:
    site = history / "gx" / "uncommitted" / "data_docs" / "local_site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html><body>Data Docs</body></html>")
    result = run_cli("health", "--format", "html", cwd=history)
    assert result.returncode == 0, result.stderr
    page = site / "pef-gx-health.html"
    assert f"health page: {page}" in result.stdout
    html = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # offline: nothing external
    dom = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    for section in ("runs", "scores", "models", "slowest", "regressions", "flapping", "anomalies", "hints"):
        assert f'id="{section}"' in dom
    assert "pef-gx pipeline health" in dom and 'href="index.html"' in dom
    assert "<polyline" in dom  # score trend chart
    assert "+20.00s" in dom and "PFPFPFPF" in dom
    shot = tmp_path / "health.png"
    _chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1200,1800", "--hide-scrollbars")
    assert shot.is_file() and shot.stat().st_size > 20_000
