"""What the site shows of the dbt project: nodes with descriptions, columns, owners, lineage, exposures;
and the checks of the suites (their `pef_gx` meta). Read as plain JSON, only the fields used here.

Sources and the seeds behind them stay what they are: a source whose table is a seed's table says so
(`same_table_as`), and seeds and snapshots are not called models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts.json_artifact import load_artifact

GRAPH_TYPES = ("model", "seed", "snapshot", "source", "exposure")


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    data_type: str
    description: str


@dataclass
class NodeDoc:
    unique_id: str
    resource_type: str  # model | seed | snapshot | source | exposure
    name: str
    description: str = ""
    materialized: str | None = None
    owner: str | None = None
    relation: str | None = None  # schema.table as built / read
    columns: list[ColumnInfo] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    same_table_as: str | None = None  # a source read from the table a seed builds (or the reverse)
    suite: str | None = None

    @property
    def label(self) -> str:
        return self.name if self.resource_type != "source" else self.source_label

    @property
    def source_label(self) -> str:
        parts = self.unique_id.split(".")
        return f"{parts[-2]}.{parts[-1]}" if len(parts) >= 4 else self.name


@dataclass
class ProjectDocs:
    nodes: dict[str, NodeDoc] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    test_docs: dict[str, Any] = field(default_factory=dict)  # dbt test id -> meta.pef_gx.docs

    def upstream(self, node_id: str) -> set[str]:
        return self._walk(node_id, lambda n: self.nodes[n].parents if n in self.nodes else [])

    def downstream(self, node_id: str) -> set[str]:
        return self._walk(node_id, lambda n: self.children.get(n, []))

    @staticmethod
    def _walk(start: str, edges: Any) -> set[str]:
        seen: set[str] = set()
        stack = list(edges(start))
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges(node))
        return seen

    def by_suite(self) -> dict[str, NodeDoc]:
        return {n.suite: n for n in self.nodes.values() if n.suite}


def safe_name(unique_id: str) -> str:
    """A file name from a unique_id: letters, digits, '.', '_' and '-' only."""
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in unique_id)[:180]


def suite_for_node(node_id: str) -> str:
    """The suite (and page) name of a node from its unique_id, as pef-gx names suites."""
    parts = str(node_id).split(".")
    if parts[0] == "source" and len(parts) >= 4:
        return _suite_name("source", parts[-1], parts[-2])
    return _suite_name(parts[0], parts[-1], None)


def _suite_name(rtype: str, name: str, source_name: str | None) -> str:
    if rtype == "source":
        return f"source__{source_name}__{name}"
    return name if rtype == "model" else f"{rtype}__{name}"


def _owner(meta: Any, fallback: Any = None) -> str | None:
    for candidate in (meta.get("owner") if isinstance(meta, Mapping) else None, fallback):
        if isinstance(candidate, Mapping):
            candidate = candidate.get("name") or candidate.get("email")
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def read_project(manifest_path: Path, catalog_path: Path | None = None) -> ProjectDocs:
    data = load_artifact(manifest_path, "manifest", range(10, 13), "dbt parse")
    types: dict[str, dict[str, str]] = {}
    if catalog_path is not None and catalog_path.is_file():
        try:
            catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
            for group in ("nodes", "sources"):
                for uid, entry in (catalog.get(group) or {}).items():
                    types[uid] = {
                        str(c.get("name", k)).lower(): str(c.get("type") or "")
                        for k, c in (entry.get("columns") or {}).items()
                    }
        except (OSError, ValueError, AttributeError):
            types = {}
    docs = ProjectDocs()
    raw_nodes = {**(data.get("nodes") or {}), **(data.get("sources") or {}), **(data.get("exposures") or {})}
    for uid, raw in raw_nodes.items():
        rtype = str(raw.get("resource_type") or uid.split(".", 1)[0])
        config = raw.get("config") or {}
        meta = {**(raw.get("meta") or {}), **(config.get("meta") or {})}
        if rtype == "test":
            own = meta.get("pef_gx")
            if isinstance(own, Mapping) and own.get("docs"):
                docs.test_docs[uid] = own["docs"]
        if rtype not in GRAPH_TYPES:
            continue
        ident = raw.get("identifier") if rtype == "source" else (raw.get("alias") or raw.get("name"))
        relation = f"{raw.get('schema')}.{ident}" if rtype != "exposure" else None
        column_types = types.get(uid, {})
        columns = [
            ColumnInfo(
                str(c.get("name") or name),
                str(c.get("data_type") or column_types.get(str(c.get("name") or name).lower(), "") or ""),
                str(c.get("description") or ""),
            )
            for name, c in (raw.get("columns") or {}).items()
        ]
        known = {c.name.lower() for c in columns}
        columns += [ColumnInfo(n, t, "") for n, t in column_types.items() if n not in known]
        name = str(raw.get("name") or uid)
        docs.nodes[uid] = NodeDoc(
            unique_id=uid,
            resource_type=rtype,
            name=name,
            description=str(raw.get("description") or ""),
            materialized=config.get("materialized") if rtype in ("model", "snapshot", "seed") else None,
            owner=_owner(meta, raw.get("owner")),
            relation=relation,
            columns=columns,
            parents=[
                p for p in (raw.get("depends_on") or {}).get("nodes") or [] if p.split(".")[0] in GRAPH_TYPES
            ],
            suite=None if rtype == "exposure" else _suite_name(rtype, name, raw.get("source_name")),
        )
    _link_same_tables(docs)
    for uid, node in docs.nodes.items():
        for parent in node.parents:
            docs.children.setdefault(parent, []).append(uid)
    return docs


def _link_same_tables(docs: ProjectDocs) -> None:
    """A source that reads the table a seed (or model) builds is the same data: say so on both."""
    built = {
        str(n.relation).lower(): n.unique_id
        for n in docs.nodes.values()
        if n.resource_type in ("seed", "model", "snapshot") and n.relation
    }
    for node in docs.nodes.values():
        if node.resource_type == "source" and node.relation:
            twin = built.get(node.relation.lower())
            if twin:
                node.same_table_as = twin
                docs.nodes[twin].same_table_as = node.unique_id


@dataclass(frozen=True)
class SuiteCheck:
    check_id: str
    suite: str
    expectation_type: str
    meta: Mapping[str, Any]  # the expectation's meta.pef_gx


def read_suite_checks(suites_dir: Path) -> dict[str, SuiteCheck]:
    """check_id -> its suite entry, from suites/*.json (damaged files are skipped: the site is best effort)."""
    found: dict[str, SuiteCheck] = {}
    if not suites_dir.is_dir():
        return found
    for path in sorted(suites_dir.glob("*.json")):
        try:
            suite = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for expectation in suite.get("expectations") or []:
            meta = (expectation.get("meta") or {}).get("pef_gx") or {}
            if isinstance(meta, Mapping) and meta.get("check_id"):
                found[str(meta["check_id"])] = SuiteCheck(
                    str(meta["check_id"]),
                    str(suite.get("name") or path.stem),
                    str(expectation.get("type") or ""),
                    {**meta, "description": meta.get("description") or expectation.get("description")},
                )
    return found
