"""The HTML scores page and the badges in headless Chromium, with networking disabled.

Screenshots go to tests/scoring/artifacts/ (git-ignored) for a look by eye.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from pef_gx.checks.spec import DIMENSIONS
from pef_gx.reporting.badge import badge_files, text_width
from pef_gx.reporting.html_base import esc, page
from pef_gx.reporting.html_scores import render_scores_page
from pef_gx.reporting.view import build_view
from pef_gx.scoring import score_run
from pef_gx.scoring.history import trend
from tests.browser import chromium_output
from tests.scoring.factory import run, shop_checks

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.integration]


chromium = chromium_output


def _history_runs():
    """Three past runs getting better, then the current one."""
    base = shop_checks()
    runs = []
    for day, broken in ((22, 4), (23, 3), (24, 1)):
        checks = [
            replace(c, status="fail", unexpected_count=50) if i < broken and c.level == "row" else c
            for i, c in enumerate(base)
        ]
        runs.append(run(checks, f"run-{day}", started_at=f"2026-11-{day}T10:00:00Z"))
    runs.append(run(base, "run-25", started_at="2026-11-25T10:00:00Z"))
    return runs


def test_scores_page_renders_offline_with_trend(tmp_path: Path):
    runs = _history_runs()
    current = runs[-1]
    report = score_run(current)
    html = render_scores_page(build_view(report), trend(runs, current.project), data_docs_href="index.html")
    # offline: no external resource at all
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "url(http" not in html and "@import" not in html
    site = tmp_path / "local_site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>Data Docs</body></html>")
    path = site / "pef-gx-scores.html"
    path.write_text(html)

    dom = chromium(tmp_path, path.as_uri(), "--dump-dom")
    for section in ("summary", "dimensions", "trend", "models", "failing"):
        assert f'id="{section}"' in dom
    assert "Data quality scores: pef_shop" in dom
    assert dom.count("<polyline") >= 2  # overall + dimensions over four runs
    assert "not measured" in dom and "86.6" in dom
    assert "stg_payments" in dom and 'href="index.html"' in dom

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "scores_page.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, path.as_uri(), f"--screenshot={shot}", "--window-size=1200,1800", "--hide-scrollbars")
    assert shot.is_file() and shot.stat().st_size > 20_000


def test_scores_page_without_history_says_so(tmp_path: Path):
    current = run(shop_checks())
    html = render_scores_page(build_view(score_run(current)), trend([current], current.project), None)
    path = tmp_path / "scores.html"
    path.write_text(html)
    dom = chromium(tmp_path, path.as_uri(), "--dump-dom")
    assert 'id="trend-empty"' in dom and "<polyline" not in dom
    assert "Data Docs" not in dom.split("<main>")[0]  # no link to Data Docs when there are none


def test_badges_render_and_estimated_widths_match_the_browser(tmp_path: Path):
    """Measure every label and message with the browser's real font and compare with our width table."""
    view = build_view(score_run(run(shop_checks())))
    files = {f.name: f.content for f in badge_files(view)}
    texts = sorted(
        {
            t.text
            for svg in files.values()
            if svg.startswith("<svg")
            for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
        }
    )
    texts += ["0.0", "100", "99.9", "12.5", *DIMENSIONS]
    measuring = "".join(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="20"><text data-t="{esc(t)}" '
        f'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" x="0" y="14">{esc(t)}</text></svg>'
        for t in texts
    )
    badges = "".join(f"<p>{svg}</p>" for name, svg in sorted(files.items()) if name.endswith(".svg"))
    script = (
        "<script>const out = {}; document.querySelectorAll('text[data-t]').forEach(e => "
        "{ out[e.dataset.t] = e.getComputedTextLength(); });"
        "document.getElementById('out').textContent = JSON.stringify(out);</script>"
    )
    path = tmp_path / "badges.html"
    path.write_text(page("badges", badges + measuring + '<pre id="out"></pre>' + script))
    dom = chromium(tmp_path, path.as_uri(), "--dump-dom")
    measured = json.loads(re.search(r'<pre id="out">([^<]*)</pre>', dom).group(1).replace("&quot;", '"'))
    for text in texts:
        real = measured[text]
        assert real > 0
        assert abs(text_width(text) - real) <= max(2.0, 0.08 * real), (text, text_width(text), real)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "badges.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, path.as_uri(), f"--screenshot={shot}", "--window-size=600,700")
    assert shot.is_file()
