"""The pef-gx site after a real `pef-gx build` (the session's one DuckDB workspace), in headless Chromium
with networking off: every page offline, links both ways, honest severity, lineage, the index's filters;
and the index with a generated history of 500 suites x 50 runs. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import run_chromium
from tests.validation.conftest import ARTIFACTS, Workspace

pytestmark = [pytest.mark.integration, pytest.mark.browser]

OURS = ("index.html", "pef-gx-models.html", "pef-gx-scores.html", "pef-gx-health.html")


def _site(ws: Workspace) -> Path:
    return Path(ws.latest()["data_docs_index"]).parent


def _probe(page: Path, tmp: Path, script: str = "") -> dict:
    """Open a copy of `page` beside it with `script` (it fills `out`) run after the page's own scripts."""
    probe = page.with_name(page.stem + ".pef-probe.html")
    code = (
        '<pre id="pef-probe"></pre><script>(function () { var out = {'
        'resources: performance.getEntriesByType("resource").map(function (e) { return e.name; }),'
        'nav: Array.prototype.map.call(document.querySelectorAll(".pef-nav a"), function (a) { return a.textContent.trim(); })'
        "};"
        + script
        + 'document.getElementById("pef-probe").textContent = JSON.stringify(out); })();</script>'
    )
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", code + "</body>"), encoding="utf-8")
    try:
        result = run_chromium(
            tmp, "--window-size=1300,1000", "--virtual-time-budget=2000", "--dump-dom", probe.as_uri()
        )
    finally:
        probe.unlink()
    match = re.search(r'<pre id="pef-probe">(.*?)</pre>', result.stdout, re.DOTALL)
    assert match and match[1], f"the probe did not run on {page} (a script error?)"
    found = json.loads(html.unescape(match[1]))
    assert all(url.startswith("file://") for url in found["resources"]), found["resources"]
    return found


def _shot(page: Path, tmp: Path, name: str, query: str = "", height: int = 1400) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    run_chromium(
        tmp, f"--window-size=1300,{height}", "--hide-scrollbars", "--virtual-time-budget=2000",
        f"--screenshot={shot}", page.as_uri() + query,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000


def _hrefs(text: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', text)]


def _target(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    return (page.parent / unquote(parts.path)).resolve() if parts.path else page, parts.fragment


def _warn_only_suites(ws: Workspace) -> set[str]:
    by_suite: dict[str, set[str]] = {}
    for check in ws.latest()["checks"]:
        by_suite.setdefault(check["suite"], set()).add(check["status"])
    return {s for s, statuses in by_suite.items() if "warn" in statuses and statuses <= {"pass", "warn"}}


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_every_page_offline_with_one_navigation_and_links_that_resolve(
    built_ws: Workspace, tmp_path: Path
) -> None:
    from pef_gx.validation.docs import remote_references

    site = _site(built_ws)
    pages = sorted(site.rglob("*.html"))
    ours = [site / name for name in OURS] + sorted((site / "pef-gx-models").glob("*.html"))
    assert all(p.is_file() for p in ours), [p for p in ours if not p.is_file()]
    assert len(ours) >= len(list(built_ws.suites_dir.glob("*.json"))) + 4  # a page per suite's node
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert remote_references(text) == [], page
        assert 'class="pef-nav"' in text, f"{page} lacks the site's navigation bar"
        for href in _hrefs(text):
            if href.startswith(("http", "mailto:", "javascript:")) or href == "#":
                continue
            target, fragment = _target(page, href)
            assert target.is_file(), f"{page.relative_to(site)} links to missing {href}"
            if fragment and target.suffix == ".html" and target.parent.name == "pef-gx-models":
                assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), f"{href} has no anchor"

    nav = ["Runs", "Models", "Scores", "Health"]
    for name in OURS:
        assert _probe(site / name, tmp_path)["nav"] == nav
    model = site / "pef-gx-models" / "stg_orders.html"
    validation = site / _probe(
        model, tmp_path, 'out.gx = document.getElementById("gx-validation").getAttribute("href");'
    )["gx"].removeprefix("../")
    found = _probe(
        validation, tmp_path, 'out.back = document.querySelector("a.pef-model-link").getAttribute("href");'
    )
    assert found["nav"] == [*nav, "stg_orders"]  # the site's bar, and the model this suite checks
    assert _target(validation, found["back"])[0] == model.resolve()  # Data Docs -> model page, and back
    for page, shot in (
        (site / "index.html", "site_index.png"),
        (model, "site_model_stg_orders.png"),
        (site / "pef-gx-models.html", "site_models.png"),
        (site / "pef-gx-scores.html", "site_scores.png"),
        (site / "pef-gx-health.html", "site_health.png"),
        (validation, "site_data_docs_validation.png"),
    ):
        _shot(page, tmp_path, shot)


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_a_failing_check_leads_to_its_model_its_lineage_and_its_validation(built_ws: Workspace) -> None:
    site = _site(built_ws)
    scores = (site / "pef-gx-scores.html").read_text(encoding="utf-8")
    check_links = [h for h in _hrefs(scores) if h.startswith("pef-gx-models/") and "#check-" in h]
    assert check_links, "the scores page links no failing check to its model page"
    for href in check_links:
        model, fragment = _target(site / "pef-gx-scores.html", href)
        text = model.read_text(encoding="utf-8")
        assert f'id="{fragment}"' in text and 'id="lineage"' in text and 'id="gx-validation"' in text


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_a_warning_only_suite_is_not_shown_as_failed(built_ws: Workspace, tmp_path: Path) -> None:
    site = _site(built_ws)
    warn_only = _warn_only_suites(built_ws)
    assert warn_only, "the sample build has suites with only warnings"
    found = _probe(
        site / "index.html",
        tmp_path,
        "out.rows = Array.prototype.map.call(document.querySelectorAll('#index-body tr'), function (tr) {"
        " return [tr.getAttribute('data-suite'), tr.getAttribute('data-status'), tr.children[1].textContent.trim()]; });",
    )
    shown = {suite: (status, words) for suite, status, words in found["rows"]}
    for suite in warn_only:
        assert shown[suite] == ("warn", "⚠ warning"), (suite, shown[suite])
        page = (site / "pef-gx-models" / f"{suite}.html").read_text(encoding="utf-8")
        assert re.search(r'id="node-status">⚠ warning<', page)
        gx_page = next((site / "validations" / suite).rglob("*.html")).read_text(encoding="utf-8")
        assert 'title="warn"' in gx_page  # GX's row icon of a warn-severity failure is the warning sign
        assert re.search(r"Status:</span>\s*<span[^>]*>⚠</span> Warning", gx_page)  # overview: Warning
    assert not any(
        status == "fail" for status, _ in shown.values()
    )  # no error-severity failure in the sample


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_lineage_svg_has_a_node_per_upstream_model(built_ws: Workspace, tmp_path: Path) -> None:
    manifest = json.loads((built_ws.root / "dbt_project" / "target" / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}

    def upstream(uid: str) -> set[str]:
        seen: set[str] = set()
        stack = list(nodes[uid].get("depends_on", {}).get("nodes", []))
        while stack:
            parent = stack.pop()
            if parent not in seen and parent in nodes:
                seen.add(parent)
                stack.extend(nodes[parent].get("depends_on", {}).get("nodes", []))
        return seen

    site = _site(built_ws)
    expected = upstream("model.pef_shop.dim_customers")
    assert len(expected) >= 4
    found = _probe(
        site / "pef-gx-models" / "dim_customers.html",
        tmp_path,
        "out.nodes = Array.prototype.map.call(document.querySelectorAll('#lineage svg g.node'), function (g) {"
        " return [g.getAttribute('data-node'), g.getAttribute('data-kind'), g.getAttribute('data-status')]; });"
        "out.edges = document.querySelectorAll('#lineage svg path.edge').length;",
    )
    drawn = {uid: (kind, status) for uid, kind, status in found["nodes"]}
    assert expected <= set(drawn), expected - set(drawn)
    for uid in expected:
        assert drawn[uid][0] == uid.split(".")[0]  # sources as sources, seeds as seeds, not models
    assert drawn["model.pef_shop.dim_customers"][1] in ("pass", "warn", "fail", "error", "stale")
    assert found["edges"] >= len(expected)


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_index_filters_sort_search_and_clear(built_ws: Workspace, tmp_path: Path) -> None:
    site = _site(built_ws)
    latest = built_ws.latest()["checks"]
    suites = {c["suite"] for c in latest}
    timeliness_warn = {c["suite"] for c in latest if c["dimension"] == "timeliness" and c["status"] == "warn"}
    script = """
    function rows() { return Array.prototype.map.call(document.querySelectorAll('#index-body tr'),
      function (tr) { return tr.getAttribute('data-suite'); }); }
    function set(id, value) { var e = document.getElementById(id); e.value = value;
      e.dispatchEvent(new Event(e.tagName === 'INPUT' ? 'input' : 'change')); }
    out.all = rows();
    set('f-status', 'warn'); out.warn = rows();
    set('f-dimension', 'timeliness'); out.timelinessWarn = rows();
    document.getElementById('f-clear').click(); out.cleared = rows();
    set('f-model', 'stg_orders'); out.model = rows();
    document.getElementById('f-clear').click();
    set('f-search', 'seed__'); out.search = rows();
    document.getElementById('f-clear').click();
    set('f-severity', 'warn'); out.severity = rows();
    document.getElementById('f-clear').click();
    document.querySelector('th[data-sort="node"]').click(); out.sorted = rows();
    """
    found = _probe(site / "index.html", tmp_path, script)
    warn_suites = {s for s in suites if any(c["suite"] == s and c["status"] == "warn" for c in latest)}
    assert set(found["all"]) == suites and len(found["all"]) == len(suites)
    assert (
        found["all"][: len(warn_suites)] and set(found["all"][: len(warn_suites)]) == warn_suites
    )  # worst first
    assert set(found["warn"]) == warn_suites - _not_warn_overall(latest)
    assert set(found["timelinessWarn"]) == timeliness_warn
    assert found["cleared"] == found["all"]  # "Clear filters" works offline
    assert found["model"] == ["stg_orders"]
    assert found["search"] and all(s.startswith("seed__") for s in found["search"])
    assert set(found["severity"]) == {
        c["suite"] for c in latest if c["status"] != "pass" and c["severity"] == "warn"
    }
    assert len(found["sorted"]) == len(suites) and found["sorted"] != found["all"]


def _not_warn_overall(latest: list[dict]) -> set[str]:
    """Suites whose worst status is worse than warn (they show as such, not as warn)."""
    worse = {"fail", "error", "stale"}
    return {c["suite"] for c in latest if c["status"] in worse}


def test_index_with_500_suites_and_50_runs(tmp_path: Path) -> None:
    from tests.site.large_site import write_large_index

    index = write_large_index(tmp_path / "site")
    script = """
    function rows() { return document.querySelectorAll('#index-body tr').length; }
    out.first = [rows(), document.getElementById('pager-text').textContent];
    document.getElementById('pager-next').click();
    out.second = [document.getElementById('pager-text').textContent, document.querySelector('#index-body tr').getAttribute('data-suite')];
    var h = document.getElementById('f-history'); h.checked = true; h.dispatchEvent(new Event('change'));
    out.history = document.getElementById('pager-text').textContent;
    var e = document.getElementById('f-engine'); e.value = 'postgres/ci'; e.dispatchEvent(new Event('change'));
    out.engine = document.getElementById('pager-text').textContent;
    var s = document.getElementById('f-status'); s.value = 'stale'; s.dispatchEvent(new Event('change'));
    out.stale = Array.prototype.map.call(document.querySelectorAll('#index-body tr'), function (tr) { return tr.getAttribute('data-status'); });
    """
    found = _probe(index, tmp_path, script)
    assert found["first"] == [50, "rows 1-50 of 500 (page 1 of 10)"]  # latest run per suite first
    assert found["second"][0] == "rows 51-100 of 500 (page 2 of 10)"
    assert found["history"] == "rows 1-50 of 25000 (page 1 of 500)"  # the history behind it
    assert found["engine"] == "rows 1-50 of 12500 (page 1 of 250)"
    assert found["stale"] and set(found["stale"]) == {"stale"}
    _shot(index, tmp_path, "site_index_500x50.png", "?history=1&status=fail", height=1000)
