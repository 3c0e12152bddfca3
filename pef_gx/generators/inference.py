"""Inference (`--infer`): profile each selected model and propose checks that hold on today's data.

Proposals: primary-key candidates (unique + not null on a key-like column), not-null for complete
columns, accepted values for low-cardinality text, numeric and date ranges widened by a margin, common
formats (e-mail, UUID, ISO date) as regular expressions, relationships found by value inclusion between
key-like columns of different models, and recency for timestamp columns. Every proposal is derived from
the observed data so that it passes today; nothing is proposed for a column dbt already checks with the
same kind. Thresholds come from the `infer:` section of pef-gx.yml (defaults in `DEFAULTS`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pef_gx.artifacts.manifest import Manifest, Node
from pef_gx.artifacts.profiles import Target
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType
from pef_gx.errors import ConfigError, DatabaseError
from pef_gx.generators.base import Generated, NotMirrored
from pef_gx.warehouse import profile as prof
from pef_gx.warehouse.connection import connect
from pef_gx.warehouse.sql import relation

DEFAULTS: dict[str, Any] = {
    "min_rows": 10,  # tables with fewer rows get no proposals
    "max_accepted_values": 10,  # text columns with at most this many distinct values get accepted_values
    "range_margin": 0.1,  # ranges widen by this share of (max - min) on each side
    "recency_margin": 0.5,  # recency allows the current age of the newest value plus this share
    "recency_max_age_days": 30,  # no recency check for columns whose newest value is older than this
    "relationships": True,  # look for value inclusion between key-like columns
    "patterns": True,  # e-mail / UUID / ISO date formats
}
_KEY_SUFFIXES = ("_id", "_key", "_code", "_uuid")


def infer_settings(section: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(section) - set(DEFAULTS)
    if unknown:
        from pef_gx.errors import did_you_mean

        word = sorted(unknown)[0]
        raise ConfigError(f"unknown setting '{word}' in infer:", did_you_mean(word, DEFAULTS) or "see README")
    merged = {**DEFAULTS, **section}
    try:
        merged["min_rows"] = int(merged["min_rows"])
        merged["max_accepted_values"] = int(merged["max_accepted_values"])
        merged["range_margin"] = float(merged["range_margin"])
        merged["recency_margin"] = float(merged["recency_margin"])
        merged["recency_max_age_days"] = float(merged["recency_max_age_days"])
    except (TypeError, ValueError):
        raise ConfigError("infer: thresholds must be numbers", "see README, 'Inference settings'") from None
    return merged


def _key_like(name: str) -> bool:
    lowered = name.lower()
    return lowered == "id" or lowered.endswith(_KEY_SUFFIXES) or lowered == "code"


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _widen_numeric(lo: float, hi: float, margin: float, integral: bool) -> tuple[Any, Any]:
    span = (hi - lo) or abs(hi) or 1.0
    low, high = lo - span * margin, hi + span * margin
    if lo >= 0 > low:
        low = 0
    if integral:
        return math.floor(low), math.ceil(high)
    return math.floor(low * 100) / 100, math.ceil(high * 100) / 100


def _widen_dates(lo: Any, hi: Any, margin: float) -> tuple[str, str]:
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    lo_d, hi_d = as_date(lo), as_date(hi)
    days = max((hi_d - lo_d).days, 1)
    pad = dt.timedelta(days=math.ceil(days * margin))
    return (lo_d - pad).isoformat(), (hi_d + pad + dt.timedelta(days=1)).isoformat()


def infer_checks(
    target: Target,
    manifest: Manifest,
    nodes: Sequence[Node],
    column_types: Mapping[str, Mapping[str, str]],
    section: Mapping[str, Any],
    existing: Iterable[CheckSpec],
) -> Generated:
    """Profile the selected models (one connection, one pass per table) and propose CheckSpecs."""
    cfg = infer_settings(section)
    covered = {(s.node_id, s.kind, s.columns) for s in existing}
    out = Generated()
    models = [n for n in nodes if n.resource_type in ("model", "snapshot", "seed")]
    conn = connect(target, read_only=True)
    try:
        profiles: dict[str, tuple[Node, str, prof.TableProfile]] = {}
        for node in models:
            schema = node.schema or target.schema
            columns = prof.columns_of(conn, target.type, schema, node.identifier)
            if not columns:
                raise DatabaseError(
                    f"--infer: {node.resource_type} '{node.name}' was never built: {schema}.{node.identifier} "
                    f"does not exist in {target.describe()}",
                    "run `pef-gx build` (or dbt build) first, or leave it out with --exclude",
                )
            rel = relation(
                target.type, schema, node.identifier, node.database if target.type == "postgres" else None
            )
            table = prof.profile_table(conn, target.type, rel, columns, cfg["max_accepted_values"])
            profiles[node.unique_id] = (node, rel, table)
        for node, _rel, table in profiles.values():
            if table.row_count < cfg["min_rows"]:
                out.not_mirrored.append(
                    NotMirrored(
                        node.unique_id,
                        node.unique_id,
                        f"inference skipped: {table.row_count} rows (< infer.min_rows {cfg['min_rows']})",
                        side="gx",
                    )
                )
                continue
            out.specs.extend(_column_proposals(node, table, cfg))
        if cfg["relationships"]:
            out.specs.extend(_relationship_proposals(conn, manifest, profiles, cfg))
    finally:
        conn.close()
    out.specs = [s for s in out.specs if (s.node_id, s.kind, s.columns) not in covered]
    return out


def _spec(node: Node, kind: str, columns: tuple[str, ...], params: dict[str, Any], why: str) -> CheckSpec:
    column = node.columns.get(columns[0]) if len(columns) == 1 else None
    return CheckSpec(
        node_id=node.unique_id,
        kind=kind,
        columns=columns,
        params=params,
        dimension=catalog.dimension_for(kind, column.meta if column else None, node.meta),
        origin=Origin(OriginType.INFERRED, None),
        description=f"inferred: {why}",
    )


def _column_proposals(node: Node, table: prof.TableProfile, cfg: Mapping[str, Any]) -> list[CheckSpec]:
    specs: list[CheckSpec] = []
    n = table.row_count
    for col in table.columns:
        if col.family == "other":
            continue
        cols = (col.name,)
        if col.non_null == n:
            specs.append(_spec(node, "not_null", cols, {}, f"no NULL in {n} rows"))
            if col.distinct == n and _key_like(col.name):
                specs.append(_spec(node, "unique", cols, {}, f"primary-key candidate: {n} distinct values"))
        if col.non_null == 0:
            continue
        if col.family == "string" and col.values is not None and col.distinct * 2 <= col.non_null:
            values = sorted(str(v) for v in col.values)
            specs.append(
                _spec(node, "accepted_values", cols, {"values": values}, f"{len(values)} distinct values")
            )
        elif col.family == "string" and cfg["patterns"]:
            for name, hits in sorted(col.pattern_hits.items()):
                if hits == col.non_null and col.non_null >= cfg["min_rows"]:
                    regex = prof.PATTERNS[name]
                    specs.append(
                        _spec(node, "match_regex", cols, {"regex": regex}, f"every value is a {name}")
                    )
                    break
        if col.family == "numeric" and col.min is not None and not _key_like(col.name):
            lo, hi = float(col.min), float(col.max)
            integral = (
                all(float(v).is_integer() for v in (col.min, col.max)) and "int" in col.data_type.lower()
            )
            low, high = _widen_numeric(lo, hi, cfg["range_margin"], integral)
            specs.append(
                _spec(
                    node,
                    "accepted_range",
                    cols,
                    {"min_value": low, "max_value": high},
                    f"observed {_plain(col.min)} .. {_plain(col.max)}",
                )
            )
        if col.family in ("date", "timestamp") and col.min is not None:
            low, high = _widen_dates(col.min, col.max, cfg["range_margin"])
            specs.append(
                _spec(
                    node,
                    "accepted_range",
                    cols,
                    {"min_value": low, "max_value": high},
                    f"observed {_plain(col.min)} .. {_plain(col.max)}",
                )
            )
        if col.family == "timestamp" and col.max is not None and table.now is not None:
            newest = col.max.replace(tzinfo=None) if isinstance(col.max, dt.datetime) else col.max
            now = table.now.replace(tzinfo=None) if isinstance(table.now, dt.datetime) else table.now
            age_days = max((now - newest).total_seconds() / 86400, 0)
            if age_days > cfg["recency_max_age_days"]:
                continue  # stale data: a recency check would only encode today's staleness
            days = math.ceil(age_days * (1 + cfg["recency_margin"])) + 1
            specs.append(
                _spec(
                    node,
                    "recency",
                    cols,
                    {"datepart": "day", "interval": days},
                    f"newest value {age_days:.1f} days old",
                )
            )
    return specs


def _relationship_proposals(
    conn: Any,
    manifest: Manifest,
    profiles: Mapping[str, tuple[Node, str, prof.TableProfile]],
    cfg: Mapping[str, Any],
) -> list[CheckSpec]:
    """child.<x_id> -> parent.<x_id> when the parent column is a complete key, every child value is in it,
    and the parent is an upstream model or snapshot: the dbt test then never runs before its parent is
    built, and `dbt build --select <a seed>` does not pick up tests of models that depend on the seed."""
    keys: dict[str, list[tuple[Node, str, prof.TableProfile, prof.ColumnProfile]]] = {}
    for node, rel, table in profiles.values():
        if table.row_count < cfg["min_rows"]:
            continue
        for col in table.columns:
            if _key_like(col.name) and col.non_null == table.row_count and col.distinct == table.row_count:
                keys.setdefault(col.name.lower(), []).append((node, rel, table, col))
    specs: list[CheckSpec] = []
    for node, rel, table, in sorted(profiles.values(), key=lambda p: p[0].unique_id):  # fmt: skip
        if table.row_count < cfg["min_rows"]:
            continue
        for col in table.columns:
            if not _key_like(col.name) or col.non_null == 0:
                continue
            upstream = manifest.ancestors(node.unique_id)
            candidates = [k for k in keys.get(col.name.lower(), []) if k[0].unique_id in upstream
                          and k[0].resource_type in ("model", "snapshot")
                          and k[3].family == col.family and k[2].row_count >= col.distinct]  # fmt: skip
            # the smallest complete key holding the column's values is the most dimension-like parent
            for parent, parent_rel, _ptable, pcol in sorted(
                candidates, key=lambda k: (k[2].row_count, k[0].unique_id)
            ):
                if prof.missing_count(conn, rel, col.name, parent_rel, pcol.name) == 0:
                    specs.append(
                        _spec(
                            node,
                            "relationships",
                            (col.name,),
                            {"to": parent.unique_id, "field": pcol.name},
                            f"every value is in {parent.name}.{pcol.name}",
                        )
                    )
                    break
    return specs
