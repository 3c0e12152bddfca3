"""The parity report: per node, checks by dimension, how many exist in both dbt and GX, and what exists in
one form only and why. Pure data; the CLI renders it (table or JSON)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks import custom_tests
from pef_gx.checks.spec import DIMENSIONS, CheckSpec, OriginType
from pef_gx.generators.base import NotMirrored


@dataclass
class NodeParity:
    node_id: str
    suite: str | None
    by_dimension: Counter = field(default_factory=Counter)
    by_origin: Counter = field(default_factory=Counter)
    both: int = 0
    gx_only: list[NotMirrored] = field(default_factory=list)
    dbt_only: list[NotMirrored] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_dimension.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id,
            "suite": self.suite,
            "checks": self.total,
            "by_dimension": {d: self.by_dimension.get(d, 0) for d in DIMENSIONS},
            "by_origin": dict(sorted(self.by_origin.items())),
            "mirrored": self.both,
            "gx_only": [m.to_dict() for m in self.gx_only],
            "dbt_only": [m.to_dict() for m in self.dbt_only],
        }


@dataclass
class ParityReport:
    nodes: list[NodeParity]
    changed_files: list[str] = field(default_factory=list)
    unattached_suites: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {
            "checks": sum(n.total for n in self.nodes),
            "mirrored": sum(n.both for n in self.nodes),
            "gx_only": sum(len(n.gx_only) for n in self.nodes),
            "dbt_only": sum(len(n.dbt_only) for n in self.nodes),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "nodes": [n.to_dict() for n in self.nodes],
            "changed_files": self.changed_files,
            "unattached_suites": self.unattached_suites,
        }


_GX_ONLY_REASON = {
    OriginType.CONSTRAINT: "a contract constraint: dbt enforces it at build time only where the warehouse does",
}


def build_report(
    suites: Mapping[str, str],
    specs: Iterable[CheckSpec],
    mirrored_in_dbt: set[str],
    not_mirrored: Iterable[NotMirrored],
) -> ParityReport:
    """`suites`: node_id -> suite name; `mirrored_in_dbt`: check_ids that also exist as dbt tests."""
    nodes: dict[str, NodeParity] = {nid: NodeParity(nid, name) for nid, name in suites.items()}

    def node(node_id: str | None) -> NodeParity:
        key = node_id or "?"
        return nodes.setdefault(key, NodeParity(key, suites.get(key)))

    for spec in specs:
        entry = node(spec.node_id)
        entry.by_dimension[spec.dimension] += 1
        entry.by_origin[spec.origin.type.value] += 1
        if (
            spec.origin.type in (OriginType.DBT_TEST, OriginType.FRESHNESS)
            or spec.check_id in mirrored_in_dbt
        ):
            entry.both += 1
        else:
            reason = _GX_ONLY_REASON.get(spec.origin.type) or f"dbt has no test for '{spec.kind}'"
            if spec.kind == "data_type":
                reason = "contract data type: dbt checks it when it builds the model"
            reason = custom_tests.GX_ONLY_REASONS.get(spec.kind, reason)
            entry.gx_only.append(
                NotMirrored(spec.node_id, spec.origin.ref or spec.check_id, reason, side="gx")
            )
    for item in not_mirrored:
        node(item.node_id).dbt_only.append(item) if item.side == "dbt" else node(item.node_id).gx_only.append(
            item
        )
    return ParityReport(nodes=sorted(nodes.values(), key=lambda n: n.node_id))
