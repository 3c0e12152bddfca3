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


def quote(name: str, dialect: str = "postgres") -> str:
    if dialect == "spark":  # backticks: a double-quoted text is a string literal in Spark SQL
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def _relation_sql(schema: str, identifier: str, column: str | None, dialect: str = "postgres") -> str:
    table = f"{quote(schema, dialect)}.{quote(identifier, dialect)}"
    text = "string" if dialect == "spark" else "varchar"
    stamp = f", cast(max({quote(column, dialect)}) as {text})" if column else ", null"
    return f"select count(*){stamp} from {table}"


def measure(
    conn: Any, lineage: Lineage, node_ids: Iterable[str], schema_of: dict[str, str], dialect: str = "postgres"
) -> list[RelationStats]:
    """One RelationStats per node; a node whose query fails is skipped (it may have been dropped)."""
    stats: list[RelationStats] = []
    for node_id in node_ids:
        info = lineage.nodes.get(node_id)
        if info is None or not info.identifier or node_id not in schema_of:
            continue
        cur = conn.cursor()
        try:
            cur.execute(_relation_sql(schema_of[node_id], info.identifier, info.timestamp_column, dialect))
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
    """Measure built models/seeds/snapshots the run has no stats for, or no latest timestamp while the
    manifest names a timestamp column, and sources with a loaded_at_field. `manifest_nodes`: the
    manifest's nodes and sources by unique_id. Returns how many were measured."""
    from pef_gx.warehouse.connection import connect

    have = {r.node_id: r for r in run.relations}

    def wanted_node(uid: str) -> bool:
        info = lineage.nodes.get(uid)
        if (
            info is None
            or info.materialized == "ephemeral"
            or uid.split(".", 1)[0] not in ("model", "seed", "snapshot")
        ):
            return False
        stats = have.get(uid)
        return stats is None or (stats.max_timestamp is None and info.timestamp_column is not None)

    wanted = [n.unique_id for n in run.dbt_nodes if n.status in _BUILT and wanted_node(n.unique_id)]
    # Sources with a loaded_at_field: their freshness lag, measured like dbt source freshness does.
    wanted += sorted(
        uid
        for uid, info in lineage.nodes.items()
        if info.resource_type == "source"
        and info.timestamp_column
        and uid in manifest_nodes
        and uid not in have
    )
    if not wanted:
        return 0
    schema_of = {uid: str((manifest_nodes.get(uid) or {}).get("schema") or target.schema) for uid in wanted}
    conn = connect(target, read_only=target.type == "duckdb")
    try:
        measured = {s.node_id: s for s in measure(conn, lineage, wanted, schema_of, target.type)}
    finally:
        conn.close()
    run.relations[:] = [r for r in run.relations if r.node_id not in measured] + list(measured.values())
    return len(measured)
