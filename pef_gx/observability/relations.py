"""Row counts and latest timestamps of the relations a run built (volume and freshness history).

The checkpoint may already have measured them (ValidationRun.relations); this fills in the rest with one
`count(*)` (and `max(<timestamp column>)` when the manifest names one) per built model, seed or snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pef_gx.observability.lineage import Lineage
from pef_gx.results.model import RelationStats, ValidationRun

_BUILT = ("success", "pass")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relation_sql(schema: str, identifier: str, column: str | None) -> str:
    table = f"{quote(schema)}.{quote(identifier)}"
    stamp = f", cast(max({quote(column)}) as varchar)" if column else ", null"
    return f"select count(*){stamp} from {table}"


def measure(
    conn: Any, lineage: Lineage, node_ids: Iterable[str], schema_of: dict[str, str]
) -> list[RelationStats]:
    """One RelationStats per node; a node whose query fails is skipped (it may have been dropped)."""
    stats: list[RelationStats] = []
    for node_id in node_ids:
        info = lineage.nodes.get(node_id)
        if info is None or not info.identifier or node_id not in schema_of:
            continue
        cur = conn.cursor()
        try:
            cur.execute(_relation_sql(schema_of[node_id], info.identifier, info.timestamp_column))
            count, latest = cur.fetchone()
        except Exception:  # missing relation or column: no measurement this run (autocommit: nothing to undo)
            continue
        finally:
            cur.close()
        stats.append(
            RelationStats(
                node_id,
                int(count),
                str(latest) if latest is not None else None,
                info.timestamp_column if latest is not None else None,
            )
        )
    return stats


def fill_relation_stats(
    run: ValidationRun, lineage: Lineage, manifest_nodes: dict[str, Any], target: Any
) -> int:
    """Add RelationStats for built models/seeds/snapshots the run lacks. Returns how many were added."""
    from pef_gx.warehouse.connection import connect

    have = {r.node_id for r in run.relations}
    wanted = [
        n.unique_id
        for n in run.dbt_nodes
        if n.status in _BUILT
        and n.unique_id.split(".", 1)[0] in ("model", "seed", "snapshot")
        and n.unique_id not in have
        and (lineage.nodes.get(n.unique_id) and lineage.nodes[n.unique_id].materialized != "ephemeral")
    ]
    if not wanted:
        return 0
    schema_of = {uid: str((manifest_nodes.get(uid) or {}).get("schema") or target.schema) for uid in wanted}
    conn = connect(target, read_only=target.type == "duckdb")
    try:
        added = measure(conn, lineage, wanted, schema_of)
    finally:
        conn.close()
    run.relations.extend(added)
    return len(added)
