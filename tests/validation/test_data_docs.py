"""Data Docs offline: headless Chromium with networking disabled opens the site the build wrote.

Checks: no page references anything remote; every resource the browser loaded is a file:// URL; our
styles are applied (computed styles read in the page); the index lists every suite; a validation page
opens from the index. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from pef_gx.validation.docs import MARKER
from tests.browser import run_chromium
from tests.validation.conftest import ARTIFACTS, Workspace

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PROBE = """
<pre id="pef-probe"></pre>
<script>
(function () {
  var nav = document.querySelector("nav.pef-nav") || document.body;
  var out = {
    bodyFont: getComputedStyle(document.body).fontFamily,
    bodyBackground: getComputedStyle(document.body).backgroundColor,
    navBackground: getComputedStyle(nav).backgroundColor,
    resources: performance.getEntriesByType("resource").map(function (e) { return e.name; }),
    links: Array.prototype.map.call(document.querySelectorAll("a[href]"), function (a) {
      return [a.textContent.trim(), a.getAttribute("href")];
    }),
    rows: document.querySelectorAll("table tbody tr").length
  };
  document.getElementById("pef-probe").textContent = JSON.stringify(out);
})();
</script>
"""


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return run_chromium(tmp, "--window-size=1300,1000", *args)


def _probe(page: Path, tmp: Path) -> tuple[dict, str]:
    """Open a copy of `page` (same folder, so relative links hold) with a probe script; its findings."""
    probe_page = page.with_name(page.stem + ".pef-probe.html")
    text = page.read_text(encoding="utf-8")
    probe_page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        dom = _chromium(tmp, "--virtual-time-budget=3000", "--dump-dom", probe_page.as_uri()).stdout
    finally:
        probe_page.unlink()
    match = re.search(r'<pre id="pef-probe">(.*?)</pre>', dom, re.DOTALL)
    assert match and match[1], "the probe script did not run (JavaScript failed on the page?)"
    return json.loads(html.unescape(match[1])), dom


def _screenshot(page: Path, tmp: Path, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    _chromium(tmp, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
    return shot


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_data_docs_work_offline_in_headless_chromium(built_ws: Workspace, tmp_path: Path) -> None:
    from pef_gx.validation.docs import remote_references

    index = Path(built_ws.latest()["data_docs_index"])
    site = index.parent
    pages = list(site.rglob("*.html"))
    assert len(pages) > 2
    for page in pages:
        assert remote_references(page.read_text(encoding="utf-8")) == [], page

    found, _dom = _probe(index, tmp_path)
    # only local files were requested
    assert all(url.startswith("file://") for url in found["resources"]), found["resources"]
    # our styles: system font stack, white page, the site's dark navigation bar (not the browser's defaults)
    assert "system-ui" in found["bodyFont"]
    assert found["bodyBackground"] == "rgb(255, 255, 255)"
    assert found["navBackground"] == "rgb(31, 41, 51)"
    # the site index (pef-gx's, rendered by its own script offline) lists every suite's latest run, each
    # linked to its model page and to its GX validation page
    suites = {p.stem for p in built_ws.suites_dir.glob("*.json")}
    hrefs = {href for _, href in found["links"]}
    assert {f"pef-gx-models/{s}.html" for s in suites} <= hrefs
    assert found["rows"] == len(suites)
    _screenshot(index, tmp_path, "data_docs_index.png")

    # a validation page opens from the index
    validation_links = [href for _, href in found["links"] if href.startswith("validations/")]
    assert validation_links
    page = site / validation_links[0]
    assert page.is_file()
    found_page, page_dom = _probe(page, tmp_path)
    assert "Overview" in page_dom and "Statistics" in page_dom
    assert all(url.startswith("file://") for url in found_page["resources"])
    assert found_page["navBackground"] == "rgb(31, 41, 51)"  # GX's page carries the site's bar
    _screenshot(page, tmp_path, "data_docs_validation.png")


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_docs_command_prints_the_index_path(built_ws: Workspace) -> None:
    from tests.conftest import run_cli

    proc = run_cli("docs", cwd=built_ws.root, env=built_ws.env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == built_ws.latest()["data_docs_index"]


def test_docs_command_without_a_site_says_how_to_build_it(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "pef-gx.yml").write_text("dbt_project_dir: .\ngx_dir: gx\nsuites_dir: suites\n")
    proc = run_cli("docs", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no Data Docs" in proc.stderr and "pef-gx checkpoint" in proc.stderr


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_docs_serve_on_localhost(built_ws: Workspace) -> None:
    import os
    import sys
    import urllib.request

    env = {k: v for k, v in os.environ.items() if k != "PEF_GX_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pef_gx", "docs", "--serve", "--port", "0"],
        cwd=built_ws.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/index\.html", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        with urllib.request.urlopen(match[0], timeout=10) as response:
            body = response.read().decode()
        assert response.status == 200 and "pef-gx offline" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_each_run_renders_only_what_changed(built_ws: Workspace, tmp_path: Path) -> None:
    """A run renders its validation pages and the pages of suites that changed, not every suite's page
    again, and leaves the index to pef-gx's site (GX's reads every stored result: its cost grows)."""
    from tests.conftest import run_cli
    from tests.validation.conftest import variant

    names = ("stg_products", "sales")
    root = variant(built_ws, tmp_path, {n: built_ws.suite(n) for n in names})
    site = root / "gx" / "uncommitted" / "data_docs" / "local_site"

    def checkpoint() -> dict[str, int]:
        proc = run_cli("checkpoint", cwd=root, env=built_ws.env)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        assert "pef-gx-models.html" in (site / "index.html").read_text()  # pef-gx's index, not GX's
        gx_pages = [*site.glob("validations/**/*.html"), *site.glob("expectations/*.html")]
        assert all(MARKER in p.read_text() for p in gx_pages)  # every page GX wrote made offline
        return {n: (site / "expectations" / f"{n}.html").stat().st_mtime_ns for n in names}

    first = checkpoint()
    second = checkpoint()
    assert second == first  # unchanged suites: their pages were not written again
    runs = {p.parent.parent.name for p in (site / "validations" / "sales").glob("*/*/*.html")}
    assert len(runs) == 2  # but each run has its validation page

    suite = built_ws.suite("sales")
    suite["notes"] = "A note added by hand."  # GX shows a suite's notes on its page
    (root / "suites" / "sales.json").write_text(json.dumps(suite, indent=2))
    third = checkpoint()
    assert third["stg_products"] == first["stg_products"]
    assert third["sales"] > first["sales"]
    assert "A note added by hand." in (site / "expectations" / "sales.html").read_text()

    (site / "expectations" / "sales.html").unlink()  # a page deleted by hand is rendered again
    assert checkpoint()["sales"] > third["sales"]
