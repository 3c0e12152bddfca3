"""Data Docs: store each run's validation results, rebuild the GX site, make every page work offline.

GX's page templates load bootstrap, jQuery, bootstrap-table, font-awesome and vega from CDNs. Viewed
without a network they are unstyled and the index (a bootstrap-table filled by JavaScript) is empty.
pef-gx does not ship copies of those libraries. Instead:

- the look comes from CSS written for pef-gx, in gx/plugins/custom_data_docs/styles/
  data_docs_custom_styles.css (GX inlines that file into every page itself);
- after each build every page's remote <link>/<script>/<img> tags are removed and a small script of
  our own (offline_script.html: the handful of jQuery/bootstrap-table calls the templates make) is
  inlined, so tables, links and the index render from the page alone;
- GX's top bar is replaced by the pef-gx site's (site_nav.html.j2), which links back to the model page.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pef_gx.errors import OutputError

if TYPE_CHECKING:
    from pef_gx.validation.context import GxPaths

_HERE = Path(__file__).parent
DEFAULT_STYLES = (_HERE / "data_docs_custom_styles.css").read_text(encoding="utf-8")
OFFLINE_SCRIPT = (_HERE / "offline_script.html").read_text(encoding="utf-8")
MARKER = "<!-- pef-gx offline -->"
SITE_NAV = (_HERE / "site_nav.html.j2").read_text(encoding="utf-8")
# GX 1.24's top_navbar.j2: an outer <nav class="navbar ..."> holding one inner <nav>.
_GX_TOP_NAV = re.compile(
    r'<nav class="navbar navbar-expand-md[^"]*"[^>]*>.*?</nav>\s*</div>\s*</nav>', re.DOTALL
)

_REMOTE_TAG = re.compile(
    r"<(?:link|script)\b[^>]*\b(?:href|src)\s*=\s*[\"'](?:https?:)?//[^\"']*[\"'][^>]*>(?:\s*</script>)?",
    re.IGNORECASE,
)
_REMOTE_IMG = re.compile(
    r"<img\b[^>]*\bsrc\s*=\s*[\"'](?:https?:)?//[^\"']*[\"'][^>]*/?>", re.IGNORECASE | re.DOTALL
)
_REMOTE_ATTR = re.compile(r"\b(?:src|href)\s*=\s*[\"'](?:https?:)?//", re.IGNORECASE)


def store_results(
    context: Any, outcomes: Sequence[tuple[str, str, Any]], run_name: str, run_time: datetime
) -> list[Any]:
    """Put (suite name, batch id, GX suite validation result) into the validation results store."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    keys = []
    run_id = RunIdentifier(run_name=run_name, run_time=run_time)
    for suite_name, batch_id, result in outcomes:
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run_id,
            batch_identifier=batch_id,
        )
        result.meta = {**(result.meta or {}), "run_id": run_id, "validation_time": run_time}
        context.validation_results_store.set(key, result)
        keys.append(key)
    return keys


def build(context: Any, docs_dir: Path, resource_keys: Sequence[Any] | None = None) -> Path:
    """Render the pages of `resource_keys` (None: every page of the site) and make them browsable offline.

    GX's index.html is built only with the whole site or when there is none yet: pef-gx's own site index
    (pef_gx.runner.site) replaces it after every run, and GX's reads every stored result to build it, a
    cost that grows with the history (about 7 ms a result on the 2-core bench machine)."""
    from pef_gx.validation.renderers import install

    index = docs_dir / "index.html"
    build_index = resource_keys is None or not index.is_file()
    if resource_keys is not None and not resource_keys and not build_index:
        return index  # nothing new to render
    install()  # checks in words on GX's pages (GX's renderer registry)
    # GX renders every page when given no keys: an empty list asks only for its index
    keys = None if resource_keys is None else list(resource_keys) or [_NO_PAGE]
    try:
        context.build_data_docs(resource_identifiers=keys, build_index=build_index)
    except OSError as exc:
        raise OutputError(f"cannot write the Data Docs under {docs_dir}: {exc.strerror}") from None
    pages = None if resource_keys is None else [page_of(docs_dir, k) for k in resource_keys]
    make_offline(docs_dir, pages if pages is None or not build_index else [*pages, index])
    return index


_NO_PAGE = object()  # a resource key no store holds
_SUITE_PAGES = ".pef-gx-suite-pages.json"  # suite name -> digest of what its expectation-suite page shows


def changed_suite_pages(paths: GxPaths, names: Sequence[str]) -> dict[str, str]:
    """The suites among `names` whose expectation-suite page is missing or shows an older suite (or was
    rendered by another pef-gx, GX or style sheet): suite name -> digest to `remember_suite_pages` once
    rendered. A suite's page changes only when its suite does, and rendering one costs ~30 ms."""
    import hashlib

    import great_expectations

    from pef_gx import __version__

    known = _remembered(paths.docs_dir)
    styles = paths.custom_styles_dir  # GX inlines these style sheets into every page
    common = hashlib.sha256(f"{__version__} {great_expectations.__version__}".encode())
    for css in sorted(styles.glob("*.css")) if styles.is_dir() else ():
        common.update(css.read_bytes())
    changed = {}
    for name in names:
        digest = common.copy()
        try:
            digest.update((paths.suites_dir / f"{name}.json").read_bytes())
        except OSError:
            digest.update(os.urandom(8))  # not a file we can read: always render
        value = digest.hexdigest()
        if known.get(name) != value or not _suite_page(paths.docs_dir, name).is_file():
            changed[name] = value
    return changed


def remember_suite_pages(docs_dir: Path, digests: dict[str, str], since: float) -> None:
    """Record the digests of the suites whose page was written at or after `since` (time.time()): GX
    logs a page it failed to render and goes on, and such a page must be tried again next run."""
    import json

    rendered = {}
    for name, digest in digests.items():
        try:
            if _suite_page(docs_dir, name).stat().st_mtime >= since:
                rendered[name] = digest
        except OSError:
            pass
    if rendered:
        _write_atomic(
            docs_dir / _SUITE_PAGES, json.dumps({**_remembered(docs_dir), **rendered}, sort_keys=True)
        )


def _suite_page(docs_dir: Path, name: str) -> Path:
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    return page_of(docs_dir, ExpectationSuiteIdentifier(name=name))


def _remembered(docs_dir: Path) -> dict[str, str]:
    import json

    try:
        known = json.loads((docs_dir / _SUITE_PAGES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def append_entries(suite_result: Any, entries: Sequence[dict[str, Any]]) -> None:
    """Add results judged after the checkpoint to a suite's GX validation result (and its statistics)."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    import pef_gx.validation.custom_expectations  # noqa: F401  (the types must be registered to render)

    for entry in entries:
        config = ExpectationConfiguration(type=entry["type"], kwargs=entry["kwargs"], meta=entry["meta"])
        details = {"status": entry["status"], "message": entry["message"]}
        suite_result.results.append(
            ExpectationValidationResult(
                success=bool(entry["success"]),
                expectation_config=config,
                result={"observed_value": entry["observed_value"], "details": details},
            )
        )
    successful = sum(1 for r in suite_result.results if r.success)
    total = len(suite_result.results)
    suite_result.success = successful == total
    suite_result.statistics = {
        "evaluated_expectations": total,
        "successful_expectations": successful,
        "unsuccessful_expectations": total - successful,
        "success_percent": 100.0 * successful / total if total else None,
    }


def make_offline(docs_dir: Path, pages: Iterable[Path] | None = None) -> int:
    """Rewrite `pages` (None: every page of the site) not rewritten yet; returns how many changed.

    A run passes the pages it rendered, so its cost does not grow with the pages of earlier runs."""
    changed = 0
    for page in docs_dir.rglob("*.html") if pages is None else pages:
        try:
            text = page.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        if MARKER in text:
            continue
        new = offline_html(text, _site_nav(page.relative_to(docs_dir)))
        _write_atomic(page, new)
        changed += 1
    return changed


def page_of(docs_dir: Path, key: Any) -> Path:
    """Where GX's HtmlSiteStore writes the page of an expectation suite or validation result key."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    section = "expectations" if isinstance(key, ExpectationSuiteIdentifier) else "validations"
    *folders, name = key.to_tuple()
    return docs_dir.joinpath(section, *folders, f"{name}.html")


def _site_nav(relative: Path) -> str:
    """The site's bar for a GX page at `relative` (validations/<suite>/<run>/<time>/<batch>.html or
    expectations/<suite>.html): links relative to the site root."""
    import jinja2

    parts = relative.parts
    suite, what = "", ""
    if len(parts) >= 2 and parts[0] in ("validations", "expectations"):
        suite = parts[1] if parts[0] == "validations" else Path(parts[1]).stem
        what = (
            f"validation {parts[2]}" if parts[0] == "validations" and len(parts) > 2 else "expectation suite"
        )
    env = jinja2.Environment(autoescape=True)
    return env.from_string(SITE_NAV).render(root="../" * (len(parts) - 1), suite=suite, what=what)


def offline_html(text: str, nav: str | None = None) -> str:
    if nav is not None:
        text = _GX_TOP_NAV.sub(lambda _: nav, text, count=1)
    text = _REMOTE_TAG.sub("", text)
    text = _REMOTE_IMG.sub('<span class="pef-brand">Data Docs</span>', text)
    head = text.find("<head>")
    injection = f"{MARKER}\n{OFFLINE_SCRIPT}"
    at = head + len("<head>") if head >= 0 else 0
    return text[:at] + "\n" + injection + text[at:]


def remote_references(text: str) -> list[str]:
    """src/href attributes of non-anchor tags that would load something from the network."""
    found = []
    for match in re.finditer(r"<(\w+)\b[^>]*>", text):
        tag = match[1].lower()
        if tag == "a":
            continue
        if _REMOTE_ATTR.search(match[0]):
            found.append(match[0][:120])
    return found


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pef-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_results(
    gx_dir: Path, suites_dir: Path, run_name: str, entries: dict[str, list[dict[str, Any]]]
) -> Path | None:
    """Add results judged after the checkpoint (quality-score and build-time tests) to the run's stored
    validation results of their suites, then rebuild those pages (and the index).

    `entries`: suite name -> [{type, kwargs, meta, success, observed_value, status, message}].
    """
    if not entries:
        return None
    from pef_gx.validation.context import make_context

    context, paths = make_context(gx_dir, suites_dir)
    store = context.validation_results_store
    keys = []
    for suite_name in sorted(entries):  # only this run's folder of each suite: the store grows every run
        found = store.store_backend.list_keys(prefix=(suite_name, run_name))
        keys += [store.tuple_to_key(t) for t in found if t != (".ge_store_backend_id",)]
    keys = [k for k in keys if getattr(k.run_id, "run_name", None) == run_name]
    for key in keys:
        suite_result = store.get(key)
        append_entries(suite_result, entries[key.expectation_suite_identifier.name])
        store.set(key, suite_result)
    if not keys:
        return None
    return build(context, paths.docs_dir, keys)  # (the suites' own pages do not show results)
