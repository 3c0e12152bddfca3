"""Root-cause analysis of a run with failures.

Each failed node's message is classified (compilation, SQL syntax, missing relation, missing column,
permission, timeout, contract, data test failure, ...). The root causes are the failed nodes none of
whose lineage ancestors failed; everything downstream of a root cause that was skipped, errored or is an
exposure is what it blocked. Each root cause gets a next step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pef_gx.observability.lineage import Lineage

FAILED = ("error", "fail", "runtime error")

# (category, pattern on the message), first match wins. DuckDB and PostgreSQL wordings.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cat, re.compile(rx, re.IGNORECASE | re.DOTALL))
    for cat, rx in (
        ("timeout", r"statement timeout|canceling statement|timed? ?out|interrupted|query was cancel"),
        (
            "permission",
            r"permission denied|insufficient privilege|must be owner|access denied|not authorized|read-only",
        ),
        (
            "connection",
            r"could not connect|connection refused|connection to server|server closed the connection",
        ),
        ("contract", r"contract|constraint .*violat|violates (not-null|check|unique|foreign key)"),
        (
            "compilation",
            r"compilation error|jinja|undefined|macro|not found in the manifest|ref\(|depends on a node",
        ),
        (
            "missing_column",
            r"column .{0,120}(does not exist|not found)|referenced column|no such column|unknown column",
        ),
        (
            "missing_relation",
            r"(table|relation|view) .{0,200}does not exist|table with name .{0,200}does not exist|no such table|catalog error: (table|view)",
        ),
        ("syntax", r"syntax error|parser error|parse error"),
        (
            "type_error",
            r"conversion error|could not convert|invalid input syntax|cannot be cast|out of range|overflow|division by zero",
        ),
    )
)

NEXT_STEP = {
    "compilation": "fix the Jinja/ref in the model; `dbt compile --select {name}` shows the error without running SQL",
    "syntax": "fix the SQL syntax in {path}; `dbt compile --select {name}` then run target/compiled/... by hand",
    "missing_relation": "the table it reads does not exist: {relation_hint}",
    "missing_column": "a column it references does not exist upstream: check the column names in {path} against its parents",
    "permission": "grant the dbt user access to the objects it reads/writes (GRANT SELECT/CREATE ...) and rerun",
    "timeout": "the query ran out of time: check its plan, filter earlier, or raise the statement timeout for this model",
    "connection": "the warehouse connection dropped: check the server and rerun `pef-gx build`",
    "contract": "the model's output breaks its contract: align the SQL types/constraints with the YAML contract",
    "type_error": "a value does not fit its type: look for bad rows in the parents (casts, division by zero)",
    "data_test_failure": "the data broke this test: look at the failing rows with `dbt test --select {name} --store-failures` and fix the data or the upstream model",
    "check_failure": "an error-severity check failed: open Data Docs for the unexpected values and fix the data or upstream model",
    "unknown": "read the full message in target/run_results.json or rerun with `dbt build --select {name} --debug`",
}


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    name: str
    resource_type: str
    status: str
    category: str
    message: str


@dataclass
class RootCause:
    failure: NodeFailure
    blocked: list[str] = field(default_factory=list)  # unique_ids skipped/failed downstream
    exposures: list[str] = field(default_factory=list)  # exposures downstream
    downstream_failures: list[str] = field(default_factory=list)  # failed nodes explained by this one
    owner: str | None = None
    next_step: str = ""


@dataclass
class Explanation:
    run_id: str
    failures: list[NodeFailure]
    root_causes: list[RootCause]
    skipped: list[str]
    check_failures: list[dict[str, Any]] = field(default_factory=list)  # error-severity GX checks

    @property
    def ok(self) -> bool:
        return not self.failures and not self.check_failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "ok": self.ok,
            "failures": [asdict(f) for f in self.failures],
            "root_causes": [{**asdict(rc), "failure": asdict(rc.failure)} for rc in self.root_causes],
            "skipped": self.skipped,
            "check_failures": self.check_failures,
        }


def classify(message: str | None, resource_type: str, status: str, failures: int | None = None) -> str:
    text = message or ""
    if resource_type in ("test", "unit_test") and status == "fail":
        return "data_test_failure"
    for category, pattern in _PATTERNS:
        if pattern.search(text):
            return category
    if resource_type == "test" and (failures or 0) > 0:
        return "data_test_failure"
    return "unknown"


def _relation_hint(message: str, lineage: Lineage) -> str:
    lowered = message.lower()
    for info in lineage.nodes.values():
        if (
            info.resource_type == "source"
            and info.identifier
            and re.search(rf"\b{re.escape(info.identifier.lower())}\b", lowered)
        ):
            return f"source {info.name} ({info.relation}) is not loaded: load it (or `dbt seed` if a seed loads it), then rerun"
    for info in lineage.nodes.values():
        if (
            info.resource_type in ("model", "seed", "snapshot")
            and info.identifier
            and re.search(rf"\b{re.escape(info.identifier.lower())}\b", lowered)
        ):
            return f"build {info.name} first (`dbt build --select +{info.name}`), or fix the name"
    return "create it, or fix the name; sources must be loaded before `dbt build`"


def explain_nodes(
    run_id: str,
    nodes: Mapping[str, Mapping[str, Any]],
    lineage: Lineage,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
) -> Explanation:
    """`nodes`: unique_id -> {status, message, failures}. `checks`: check_id -> stored check row."""
    failures: dict[str, NodeFailure] = {}
    for uid, row in nodes.items():
        status = str(row.get("status") or "")
        if status not in FAILED:
            continue
        rtype = uid.split(".", 1)[0]
        message = str(row.get("message") or "")
        failures[uid] = NodeFailure(
            uid,
            lineage.name(uid),
            rtype,
            status,
            classify(message, rtype, status, row.get("failures")),
            message,
        )
    skipped = sorted(uid for uid, row in nodes.items() if row.get("status") == "skipped")
    roots: list[RootCause] = []
    for uid, failure in sorted(failures.items()):
        if lineage.ancestors(uid) & failures.keys():
            continue
        downstream = lineage.descendants(uid)
        info = lineage.nodes.get(uid)
        name = failure.name
        path = f"models/.../{name}.sql" if failure.resource_type == "model" else name
        template = NEXT_STEP.get(failure.category, NEXT_STEP["unknown"])
        hint = _relation_hint(failure.message, lineage) if failure.category == "missing_relation" else ""
        root = RootCause(
            failure=failure,
            blocked=sorted(d for d in downstream if d in skipped or (d in failures and d != uid)),
            exposures=sorted(d for d in downstream if d.startswith("exposure.")),
            downstream_failures=sorted(d for d in downstream if d in failures),
            owner=lineage.owner(uid) if info else None,
            next_step=template.format(name=name, path=path, relation_hint=hint),
        )
        roots.append(root)
    # Order: models before tests, then the one that blocked the most.
    roots.sort(key=lambda r: (r.failure.resource_type == "test", -len(r.blocked), r.failure.unique_id))
    check_failures = [
        dict(row)
        for row in (checks or {}).values()
        if row.get("severity") == "error" and row.get("status") in ("fail", "error")
    ]
    for row in check_failures:
        row["next_step"] = NEXT_STEP["check_failure"]
        row["owner"] = lineage.owner(str(row.get("node_id") or ""))
    return Explanation(
        run_id, sorted(failures.values(), key=lambda f: f.unique_id), roots, skipped, check_failures
    )
