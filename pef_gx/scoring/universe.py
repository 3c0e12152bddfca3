"""The universe coverage is measured against: which models (data nodes) and columns exist.

From the results file alone we know every node and column a check names. A dbt manifest adds the nodes
and documented columns nobody checks yet (models, seeds, snapshots and sources; ephemeral models and
disabled nodes have no table and are left out).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.errors import ArtifactError
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


def manifest_universe(manifest: Mapping[str, Any]) -> dict[str, tuple[str, frozenset[str]]]:
    """node_id -> (name, documented columns) for every data node of a parsed manifest.json."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for section in ("nodes", "sources"):
        for node_id, node in (manifest.get(section) or {}).items():
            if not isinstance(node, Mapping) or node.get("resource_type") not in DATA_RESOURCE_TYPES:
                continue
            config = node.get("config") or {}
            if config.get("enabled") is False or config.get("materialized") == "ephemeral":
                continue
            name = node.get("name") or _node_name(node_id)
            if node.get("resource_type") == "source":
                name = f"{node.get('source_name')}.{name}"
            columns = frozenset(str(c).lower() for c in (node.get("columns") or {}))
            out[node_id] = (str(name), columns)
    return out


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest as plain JSON (only the fields coverage needs are read)."""
    if not path.is_file():
        raise ArtifactError(
            f"{path} not found", "run `dbt parse` or `pef-gx build` first, or pass --manifest"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ArtifactError(f"{path} is not valid JSON", "run `dbt parse` again") from None
    if not isinstance(data, dict) or "nodes" not in data:
        raise ArtifactError(f"{path} is not a dbt manifest", "pass the target/manifest.json dbt wrote")
    return data


def build_universe(checks: Iterable[CheckResult], manifest: Mapping[str, Any] | None = None) -> Universe:
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
