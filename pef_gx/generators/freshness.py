"""CheckSpecs from source freshness: `loaded_at_field` with `warn_after` / `error_after` (timeliness).

One check per threshold: warn_after with severity warn, error_after with severity error; a freshness
`filter` becomes the check's `where`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pef_gx.artifacts.manifest import Manifest
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.generators.base import Generated, NotMirrored


def from_freshness(manifest: Manifest, node_ids: Iterable[str]) -> Generated:
    out = Generated()
    for node_id in sorted(set(node_ids)):
        node = manifest.nodes.get(node_id)
        if node is None or node.resource_type != "source" or not node.freshness:
            continue
        for key, severity in (("warn_after", Severity.WARN), ("error_after", Severity.ERROR)):
            rule = node.freshness.get(key) or {}
            if not rule.get("count") or not rule.get("period"):
                continue
            if not node.loaded_at_field:
                out.not_mirrored.append(
                    NotMirrored(node_id, f"{node_id}#freshness.{key}", "freshness without loaded_at_field")
                )
                continue
            column = node.columns.get(node.loaded_at_field)
            out.specs.append(
                CheckSpec(
                    node_id=node_id,
                    kind="freshness",
                    columns=(node.loaded_at_field,),
                    params={"datepart": str(rule["period"]), "interval": int(rule["count"])},
                    dimension=catalog.dimension_for("freshness", column.meta if column else None, node.meta),
                    severity=severity,
                    origin=Origin(OriginType.FRESHNESS, f"{node_id}#{key}"),
                    where=node.freshness.get("filter") or None,
                    description=f"source freshness {key} {rule['count']} {rule['period']}",
                )
            )
    return out
