"""What observability needs from manifest.json: the lineage graph, exposures, owners, materialisations.

Read as plain JSON through the version-gated loader; only the fields used here.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts.json_artifact import load_artifact
from pef_gx.artifacts.run_results import node_name


@dataclass(frozen=True)
class NodeInfo:
    unique_id: str
    resource_type: str  # model | seed | snapshot | test | source | exposure | ...
    name: str
    materialized: str | None = None
    owner: str | None = None  # meta.owner (or an exposure's owner)
    relation: str | None = None  # schema.identifier as built
    identifier: str | None = None  # table name (sources: the table it reads)
    severity: str | None = None  # tests: error | warn
    attached_node: str | None = None  # tests: the node tested
    timestamp_column: str | None = None  # recency/freshness column when the manifest names one
    full_refresh_every_run: bool = False  # table/seed (not incremental, not view)


@dataclass
class Lineage:
    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)

    def ancestors(self, node_id: str) -> set[str]:
        return self._walk(node_id, self.parents)

    def descendants(self, node_id: str) -> set[str]:
        return self._walk(node_id, self.children)

    @staticmethod
    def _walk(start: str, edges: Mapping[str, list[str]]) -> set[str]:
        seen: set[str] = set()
        queue = deque(edges.get(start, ()))
        while queue:
            node = queue.popleft()
            if node not in seen:
                seen.add(node)
                queue.extend(edges.get(node, ()))
        return seen

    def owner(self, node_id: str) -> str | None:
        """meta.owner of the node; for a test, of the node it tests."""
        info = self.nodes.get(node_id)
        if info is None:
            return None
        if info.owner:
            return info.owner
        if info.attached_node:
            return self.owner(info.attached_node)
        return None

    def name(self, node_id: str) -> str:
        info = self.nodes.get(node_id)
        return info.name if info else node_name(node_id)

    def models_of(self, node_ids: Iterable[str]) -> list[str]:
        return sorted(n for n in node_ids if n.split(".", 1)[0] in ("model", "seed", "snapshot"))


def _owner(meta: Any) -> str | None:
    if isinstance(meta, Mapping):
        owner = meta.get("owner")
        if isinstance(owner, str) and owner:
            return owner
    return None


def _timestamp_columns(nodes: Mapping[str, Any]) -> dict[str, str]:
    """node id -> column named by a recency test (dbt_utils signature) on it."""
    found: dict[str, str] = {}
    for node in nodes.values():
        meta = node.get("test_metadata") or {}
        if node.get("resource_type") == "test" and meta.get("name") == "recency":
            field_name = (meta.get("kwargs") or {}).get("field")
            attached = node.get("attached_node") or next(
                iter((node.get("depends_on") or {}).get("nodes") or []), None
            )
            if attached and field_name:
                found.setdefault(attached, str(field_name))
    return found


def lineage_from_manifest(data: Mapping[str, Any]) -> Lineage:
    nodes_raw: Mapping[str, Any] = data.get("nodes") or {}
    stamps = _timestamp_columns(nodes_raw)
    lineage = Lineage()
    for uid, node in nodes_raw.items():
        config = node.get("config") or {}
        rtype = str(node.get("resource_type") or uid.split(".", 1)[0])
        materialized = config.get("materialized")
        meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
        ident = node.get("alias") or node.get("name")
        pef_meta = meta.get("pef_gx") if isinstance(meta.get("pef_gx"), Mapping) else {}
        lineage.nodes[uid] = NodeInfo(
            unique_id=uid,
            resource_type=rtype,
            name=str(node.get("name") or uid),
            materialized=materialized,
            owner=_owner(meta),
            relation=f"{node.get('schema')}.{ident}" if rtype in ("model", "seed", "snapshot") else None,
            identifier=str(ident) if ident else None,
            severity=(str(config.get("severity") or "").lower() or None) if rtype == "test" else None,
            attached_node=node.get("attached_node"),
            timestamp_column=pef_meta.get("timestamp_column") or stamps.get(uid),
            full_refresh_every_run=rtype == "seed" or materialized == "table",
        )
    for uid, source in (data.get("sources") or {}).items():
        meta = {**(source.get("meta") or {}), **((source.get("config") or {}).get("meta") or {})}
        lineage.nodes[uid] = NodeInfo(
            unique_id=uid,
            resource_type="source",
            name=f"{source.get('source_name')}.{source.get('name')}",
            owner=_owner(meta),
            relation=f"{source.get('schema')}.{source.get('identifier') or source.get('name')}",
            identifier=str(source.get("identifier") or source.get("name")),
            timestamp_column=source.get("loaded_at_field"),
        )
    for uid, exposure in (data.get("exposures") or {}).items():
        owner = exposure.get("owner") or {}
        lineage.nodes[uid] = NodeInfo(
            unique_id=uid,
            resource_type="exposure",
            name=str(exposure.get("name") or uid),
            owner=_owner(exposure.get("meta")) or owner.get("name") or owner.get("email"),
        )
    lineage.parents = {k: list(v) for k, v in (data.get("parent_map") or {}).items()}
    lineage.children = {k: list(v) for k, v in (data.get("child_map") or {}).items()}
    return lineage


def load_lineage(manifest_path: Path) -> Lineage:
    """The lineage of a manifest, read once per version of the file (a build needs it for the history
    and again for the health page; parsing a manifest of a few hundred nodes takes 0.1-0.2 s).
    Callers must not change the lineage they get."""
    try:
        stat = manifest_path.stat()
    except OSError:
        return _read_lineage.__wrapped__(manifest_path, None)  # (load_artifact says what is wrong)
    return _read_lineage(manifest_path, (stat.st_ino, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _read_lineage(manifest_path: Path, version: tuple[int, int, int] | None) -> Lineage:
    return lineage_from_manifest(load_artifact(manifest_path, "manifest", range(10, 13), "dbt parse"))
