"""The pef-gx site pages: the site index (every suite's latest run first, its history behind it), the
models section and one page per model/seed/snapshot/source. Pure: plain data in, {relative path: HTML}
out; pef_gx.runner.site gathers the data and writes the files beside GX's Data Docs pages.

Page names: index.html (replaces GX's index, which only knows a validation's true/false and so shows a
warning-only suite as failed), pef-gx-models.html, pef-gx-models/<suite>.html, pef-gx-scores.html,
pef-gx-health.html. Every page shares templates/layout.html.j2: one navigation bar and one style.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from pef_gx.checks.spec import DIMENSIONS
from pef_gx.checks.words import relation_name, words_for
from pef_gx.reporting.html_base import line_chart
from pef_gx.reporting.site import status as st
from pef_gx.reporting.site.charts import time_labels
from pef_gx.reporting.site.check_docs import CheckDoc, doc_for
from pef_gx.reporting.site.lineage import Graph, layout
from pef_gx.reporting.site.project import NodeDoc, ProjectDocs, SuiteCheck
from pef_gx.results.model import CheckResult, ValidationRun

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INDEX = "index.html"
MODELS = "pef-gx-models.html"
SCORES = "pef-gx-scores.html"
HEALTH = "pef-gx-health.html"
NAV = (
    ("index", INDEX, "Runs"),
    ("models", MODELS, "Models"),
    ("scores", SCORES, "Scores"),
    ("health", HEALTH, "Health"),
)


def code_spans(text: str) -> Markup:
    """Escape `text` and show its `backticked` parts as <code> (the sentences mark names that way)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an odd backtick (inside a value): show the text as it is
        return Markup(escape(text))
    return Markup("").join(
        Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts)
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["code"] = code_spans
    return env


def status_table() -> dict[str, dict[str, str]]:
    return {k: {"word": s.word, "icon": s.icon, "colour": s.colour} for k, s in st.STATUSES.items()}


def render_page(
    template: str, *, root: str = "", page_key: str = "", project: str = "", **values: Any
) -> str:
    """A page of the site from templates/<template>: the shared layout, navigation and style."""
    return (
        environment()
        .get_template(template)
        .render(
            root=root,
            page_key=page_key,
            project=project,
            nav=NAV,
            status_css=st.css(),
            statuses=st.STATUSES,
            status_keys=st.ORDER,
            status_json=Markup(_json_for_script(status_table())),
            script=values.pop("script", True),
            subtitle=values.pop("subtitle", ""),
            crumbs=values.pop("crumbs", ()),
            **values,
        )
    )


@dataclass
class SiteData:
    project: str
    runs: list[ValidationRun]  # oldest first
    docs: ProjectDocs | None = None
    checks: Mapping[str, SuiteCheck] = field(default_factory=dict)
    validation_pages: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (suite, run) -> path
    suite_pages: Mapping[str, str] = field(default_factory=dict)  # suite -> expectation suite page
    scores: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # node -> (score text, colour)
    test_docs: Mapping[str, Any] = field(default_factory=dict)  # dbt test unique_id -> meta.pef_gx.docs


def _suite_status(checks: Sequence[CheckResult]) -> str:
    return st.worst(c.status for c in checks)


def _label(node_id: str, data: SiteData) -> tuple[str, str]:
    """(name, kind) of a node for people: sources as source_name.table, never called a model."""
    node = data.docs.nodes.get(node_id) if data.docs else None
    if node is not None:
        return node.label, node.resource_type
    kind = node_id.split(".", 1)[0]
    return relation_name(node_id).split(" ", 1)[-1], kind


def _latest_by_suite(runs: Sequence[ValidationRun]) -> dict[str, tuple[ValidationRun, list[CheckResult]]]:
    latest: dict[str, tuple[ValidationRun, list[CheckResult]]] = {}
    for run in runs:
        grouped: dict[str, list[CheckResult]] = defaultdict(list)
        for check in run.checks:
            grouped[check.suite].append(check)
        for suite, checks in grouped.items():
            latest[suite] = (run, checks)
    return latest


def model_page(suite: str) -> str:
    return f"pef-gx-models/{suite}.html"


# --- the index -----------------------------------------------------------------------------------------


def index_rows(data: SiteData) -> list[dict[str, Any]]:
    latest = {suite: run.run_id for suite, (run, _) in _latest_by_suite(data.runs).items()}
    rows = []
    for run in data.runs:
        grouped: dict[str, list[CheckResult]] = defaultdict(list)
        for check in run.checks:
            grouped[check.suite].append(check)
        for suite, checks in grouped.items():
            name, kind = _label(checks[0].node_id, data)
            dims: dict[str, list[str]] = defaultdict(list)
            for c in checks:
                dims[c.dimension].append(c.status)
            rows.append(
                {
                    "suite": suite,
                    "node": name,
                    "kind": kind,
                    "page": model_page(suite),
                    "run_id": run.run_id,
                    "started_at": run.started_at,
                    "when": run.started_at[:16].replace("T", " "),
                    "engine": f"{run.target_type}/{run.target_name}",
                    "status": _suite_status(checks),
                    "checks": len(checks),
                    "counts": dict(Counter(c.status for c in checks)),
                    "dims": {d: st.worst(s) for d, s in dims.items()},
                    "sev": sorted({c.severity for c in checks if c.status != "pass"}),
                    "docs": data.validation_pages.get((suite, run.run_id)),
                    "latest": latest.get(suite) == run.run_id,
                }
            )
    return rows


STATUS_CODES = ("pass", "warn", "stale", "fail", "error")


def compact_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The index rows packed for the page (tables of suites and runs, one short array per row): 25,000
    rows stay about 1 MB, parsed in milliseconds. site.js unpacks them."""
    suites: dict[str, int] = {}
    runs: dict[str, int] = {}
    suite_list: list[list[str]] = []
    run_list: list[list[str]] = []
    packed = []
    for r in rows:
        if r["suite"] not in suites:
            suites[r["suite"]] = len(suite_list)
            suite_list.append([r["suite"], r["node"], r["kind"], r["page"]])
        if r["run_id"] not in runs:
            runs[r["run_id"]] = len(run_list)
            run_list.append([r["run_id"], r["started_at"], r["when"], r["engine"]])
        dims = "".join(str(STATUS_CODES.index(r["dims"][d])) if d in r["dims"] else "-" for d in DIMENSIONS)
        prefix = f"validations/{r['suite']}/{r['run_id']}/"
        docs = r["docs"] or ""
        packed.append(
            [
                suites[r["suite"]],
                runs[r["run_id"]],
                STATUS_CODES.index(r["status"]),
                [r["counts"].get(k, 0) for k in STATUS_CODES],
                dims,
                (1 if "error" in r["sev"] else 0) + (2 if "warn" in r["sev"] else 0),
                docs[len(prefix) :] if docs.startswith(prefix) else (docs or 0),
                1 if r["latest"] else 0,
            ]
        )
    return {"codes": STATUS_CODES, "dims": DIMENSIONS, "suites": suite_list, "runs": run_list, "rows": packed}


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '</' can close the element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def render_index(data: SiteData) -> str:
    rows = index_rows(data)
    latest = [r for r in rows if r["latest"]]
    totals = Counter(r["status"] for r in latest)
    engines = sorted({r["engine"] for r in rows})
    page = render_page(
        "index.html.j2",
        page_key="index",
        project=data.project,
        title=f"Data quality runs: {data.project}",
        subtitle=(
            f"{len(latest)} suites, {len(data.runs)} run{'' if len(data.runs) == 1 else 's'}; latest {data.runs[-1].started_at[:16].replace('T', ' ')} UTC"
            if data.runs
            else "no run yet: run `pef-gx build`"
        ),
        totals=[(k, totals[k]) for k in st.ORDER if totals.get(k)],
        suite_count=len(latest),
        run_count=len(data.runs),
        dimensions=DIMENSIONS,
        engines=engines,
        noscript_links=[(r["node"], r["page"]) for r in sorted(latest, key=lambda r: r["node"])][:200],
        rows_json=Markup(_json_for_script(compact_rows(rows))),
    )
    return page


# --- model pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    check_id: str
    kind: str
    dimension: str
    severity: str
    status: st.Status
    rule: str
    observed: str
    examples: tuple[str, ...]
    origin: str
    doc: CheckDoc


def check_row(check: CheckResult, data: SiteData, now: str | None) -> CheckRow:
    entry = data.checks.get(check.check_id)
    meta: Mapping[str, Any] = (
        entry.meta
        if entry
        else {"kind": check.kind, "columns": list(check.columns), "params": {}, "severity": check.severity}
    )
    words = words_for(meta, check.to_dict(), now=now)
    override = meta.get("docs") or data.test_docs.get(str(check.origin_ref or ""))
    description = meta.get("description") if check.origin_type == "dbt_test" else None
    origin = check.origin_type.replace("_", " ")
    return CheckRow(
        check.check_id,
        check.kind,
        check.dimension,
        check.severity,
        st.status(check.status),
        words.rule,
        words.observed,
        words.examples,
        origin,
        doc_for(check.kind, override, description),
    )


def _graph(node: NodeDoc, data: SiteData, statuses: Mapping[str, str]) -> Graph:
    docs = data.docs
    assert docs is not None
    members = {node.unique_id} | docs.upstream(node.unique_id) | docs.downstream(node.unique_id)
    if node.same_table_as:
        members.add(node.same_table_as)
    parents = {n: list(docs.nodes[n].parents) for n in members if n in docs.nodes}
    for source in [m for m in members if m in docs.nodes and docs.nodes[m].resource_type == "source"]:
        seed = docs.nodes[source].same_table_as  # the seed that builds the table this source reads
        if seed and seed in docs.nodes:
            members.add(seed)
            parents.setdefault(seed, list(docs.nodes[seed].parents))
            parents[source] = [*parents.get(source, []), seed]

    def describe(n: str) -> tuple[str, str, str, str | None, str]:
        other = docs.nodes[n]
        page = (
            None
            if other.resource_type == "exposure" or other.suite is None
            else "../" + model_page(other.suite)
        )
        status_key = statuses.get(n, "none")
        title = f"{other.resource_type} {other.label}: {st.status(status_key).word if status_key != 'none' else 'no checks'}"
        return other.label, other.resource_type, status_key, page, title

    return layout([m for m in members if m in docs.nodes], parents, describe, focus=node.unique_id)


def _runtime_chart(node_id: str, runs: Sequence[ValidationRun]) -> str:
    points = [(r.started_at, n.execution_time) for r in runs for n in r.dbt_nodes if n.unique_id == node_id]
    if len(points) < 2:
        return ""
    return line_chart(
        time_labels([p[0] for p in points]),
        [("dbt build time (s)", [round(p[1], 3) for p in points])],
        floor=0.0,
        ceiling=None,
        unit="s",
        height=180,
    )


def render_model(node: NodeDoc, data: SiteData, statuses: Mapping[str, str]) -> str:
    latest = _latest_by_suite(data.runs).get(node.suite or "")
    rows: list[CheckRow] = []
    note = "no checks ran on it yet"
    docs_href = suite_href = None
    if latest:
        run, checks = latest
        rows = [check_row(c, data, run.started_at) for c in checks]
        note = f"run {run.run_id} on {run.target_type}/{run.target_name}"
        page = data.validation_pages.get((node.suite or "", run.run_id))
        docs_href = f"../{page}" if page else None
    if node.suite and node.suite in data.suite_pages:
        suite_href = "../" + data.suite_pages[node.suite]
    by_dim: dict[str, list[CheckRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (-r.status.rank, r.rule)):
        by_dim[row.dimension].append(row)
    column_checks: Counter[str] = Counter()
    if latest:
        for c in latest[1]:
            for col in c.columns:
                column_checks[col] += 1
    twin = None
    if node.same_table_as and data.docs and node.same_table_as in data.docs.nodes:
        other = data.docs.nodes[node.same_table_as]
        twin = {
            "href": "../" + model_page(other.suite or ""),
            "kind": other.resource_type,
            "label": other.label,
        }
    status_key = statuses.get(node.unique_id, "none")
    return render_page(
        "model.html.j2",
        root="../",
        page_key="models",
        project=data.project,
        title=f"{node.resource_type} {node.label}",
        subtitle=node.relation or "",
        crumbs=[("../" + MODELS, "Models"), ("#lineage", "lineage"), ("#checks", "checks")],
        node=node,
        twin=twin,
        status=st.status(status_key) if status_key != "none" else st.NO_CHECKS,
        latest_note=note,
        score=data.scores.get(node.unique_id),
        docs_href=docs_href,
        suite_href=suite_href,
        graph=_graph(node, data, statuses),
        column_checks=column_checks,
        dimensions=[
            (d, by_dim[d]) for d in [*DIMENSIONS, *sorted(set(by_dim) - set(DIMENSIONS))] if d in by_dim
        ],
        runtime_chart=Markup(_runtime_chart(node.unique_id, data.runs)),
        script=False,
    )


def node_statuses(data: SiteData) -> dict[str, str]:
    return {checks[0].node_id: _suite_status(checks) for _, checks in _latest_by_suite(data.runs).values()}


def render_models(data: SiteData, statuses: Mapping[str, str]) -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    latest = _latest_by_suite(data.runs)
    titles = {"model": "models", "snapshot": "snapshots", "seed": "seeds", "source": "sources"}
    for node in sorted((data.docs.nodes.values() if data.docs else []), key=lambda n: n.label):
        if node.resource_type not in titles or node.suite is None:
            continue
        twin = data.docs.nodes.get(node.same_table_as or "") if data.docs else None
        status_key = statuses.get(node.unique_id)
        groups[titles[node.resource_type]].append(
            {
                "href": model_page(node.suite),
                "label": node.label,
                "twin": f"{twin.resource_type} {twin.label}" if twin else None,
                "status": st.status(status_key) if status_key else st.NO_CHECKS,
                "checks": len(latest.get(node.suite, (None, []))[1]),
                "owner": node.owner,
                "materialized": node.materialized,
                "description": node.description,
            }
        )
    return render_page(
        "models.html.j2",
        page_key="models",
        project=data.project,
        title=f"Models, seeds, snapshots and sources: {data.project}",
        subtitle="each with its description, columns, checks by dimension, lineage and run time",
        groups=[(t, groups[t]) for t in titles.values() if groups.get(t)],
        script=False,
    )


def build_pages(data: SiteData) -> dict[str, str]:
    """{relative path: HTML} of the index, the models section and every node page."""
    pages = {INDEX: render_index(data)}
    statuses = node_statuses(data)
    if data.docs is not None:
        pages[MODELS] = render_models(data, statuses)
        for node in data.docs.nodes.values():
            if node.suite and node.resource_type != "exposure":
                pages[model_page(node.suite)] = render_model(node, data, statuses)
    return pages
