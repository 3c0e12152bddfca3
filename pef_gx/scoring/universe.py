"""The universe coverage is measured against: which models (data nodes) and columns exist.

From the results file alone we know every node and column a check names. A dbt manifest adds the nodes
and documented columns nobody checks yet (models, seeds, snapshots and sources; ephemeral models and
disabled nodes have no table and are left out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pef_gx.artifacts.manifest import Manifest
from pef_gx.results.model import CheckResult

DATA_RESOURCE_TYPES = ("model", "seed", "snapshot", "source")


@dataclass(frozen=True)
class Universe:
    """node_id -> the column names known on it (lower-cased)."""

    nodes: Mapping[str, frozenset[str]]
    names: Mapping[str, str]  # node_id -> readable name
    source: str  # "results" | "results+manifest"

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def column_count(self) -> int:
        return sum(len(cols) for cols in self.nodes.values())

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "models": self.node_count, "columns": self.column_count}


def _node_name(node_id: str) -> str:
    parts = node_id.split(".")
    return ".".join(parts[2:]) or node_id


def manifest_universe(manifest: Manifest) -> dict[str, tuple[str, frozenset[str]]]:
    """node_id -> (name, documented columns) for every data node of the manifest.

    Ephemeral models have no relation (relation_name is null) and are left out; disabled nodes are not in
    the manifest's nodes at all.
    """
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for node_id, node in manifest.nodes.items():
        if node.resource_type not in DATA_RESOURCE_TYPES:
            continue
        if node.resource_type == "model" and not node.relation_name:
            continue
        name = f"{node.source_name}.{node.name}" if node.resource_type == "source" else node.name
        out[node_id] = (name, frozenset(c.lower() for c in node.columns))
    return out


def build_universe(checks: Iterable[CheckResult], manifest: Manifest | None = None) -> Universe:
    nodes: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    if manifest is not None:
        for node_id, (name, columns) in manifest_universe(manifest).items():
            nodes[node_id] = set(columns)
            names[node_id] = name
    for check in checks:
        nodes.setdefault(check.node_id, set()).update(c.lower() for c in check.columns)
        names.setdefault(check.node_id, check.node_name or _node_name(check.node_id))
    return Universe(
        nodes={k: frozenset(v) for k, v in sorted(nodes.items())},
        names=dict(sorted(names.items())),
        source="results+manifest" if manifest is not None else "results",
    )
