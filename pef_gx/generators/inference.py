"""Inference (`--infer`): profile each selected model and propose checks that hold on today's data.

Proposals: primary-key candidates (unique + not null on a key-like column), not-null for complete
columns, accepted values for low-cardinality text, numeric and date ranges widened by a margin, common
formats (e-mail, UUID, ISO date) as regular expressions, relationships found by value inclusion between
key-like columns of different models, and recency for timestamp columns. Every proposal is derived from
the observed data so that it passes today; nothing is proposed for a column dbt already checks with the
same kind. Thresholds come from the `infer:` section of pef-gx.yml (defaults in `DEFAULTS`).

Besides the column checks, what catches the usual breakages:

- relationships into a sibling model (neither upstream nor downstream of the checked one), e.g.
  `stg_payments.order_id` into `stg_orders`: only into a complete key (unique, no NULL) with the same name
  and type family, of a model whose name says it holds that entity (`orders`, `stg_orders`, `fct_orders`),
  and only when every value is in it today (one inclusion query per candidate pair);
- a row-count lower bound learned from the run history (`row_count_history`, newest first; at least
  `row_count_min_history` recorded counts): the lowest recent count, today's included, less
  `row_count_margin`; no upper bound (tables grow);
- the schema: the columns of today (`table_columns`: a dropped or renamed column fails, an added one
  passes) and each column's type family (`column_type`: a number that became text fails); columns typed
  by an enforced contract are left to the contract.
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
    "range_margin": 0.1,  # date and timestamp ranges widen by this share of (max - min) on each side
    # numeric ranges widen by this share: the extremes of a few hundred rows vary a lot from load to
    # load (bench/defect_bench.py: 0.1 raised false alarms on prices and amounts of other random data)
    "numeric_range_margin": 0.5,
    "recency_margin": 0.5,  # recency allows the current age of the newest value plus this share
    "recency_max_age_days": 30,  # no recency check for columns whose newest value is older than this
    "relationships": True,  # look for value inclusion between key-like columns
    "patterns": True,  # e-mail / UUID / ISO date formats
    "sibling_relationships": True,  # keys into models that are neither upstream nor downstream
    "row_counts": True,  # a lower bound on the row count, once the history holds enough counts
    "row_count_margin": 0.3,  # the bound: the lowest recent count less this share
    "row_count_min_history": 5,  # recorded counts (runs) of a model before a bound is proposed
    "row_count_history": 30,  # how many recent runs the bound looks at
    "schema": True,  # the columns of each relation and their type families
}
_ENTITY_PREFIXES = ("stg", "dim", "fct", "fact", "int", "base", "raw", "src", "mart")
_ENTITY_SUFFIXES = ("snapshot", "snapshots", "history", "scd", "current", "latest")
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
        merged["numeric_range_margin"] = float(merged["numeric_range_margin"])
        merged["recency_margin"] = float(merged["recency_margin"])
        merged["recency_max_age_days"] = float(merged["recency_max_age_days"])
        merged["row_count_margin"] = float(merged["row_count_margin"])
        merged["row_count_min_history"] = int(merged["row_count_min_history"])
        merged["row_count_history"] = int(merged["row_count_history"])
    except (TypeError, ValueError):
        raise ConfigError("infer: thresholds must be numbers", "see README, 'Inference settings'") from None
    if not 0 <= merged["row_count_margin"] < 1:
        raise ConfigError("infer: row_count_margin must be at least 0 and below 1", "e.g. 0.3")
    if merged["row_count_min_history"] < 1 or merged["row_count_history"] < merged["row_count_min_history"]:
        raise ConfigError(
            "infer: row_count_min_history must be at least 1 and at most row_count_history", "e.g. 5 and 30"
        )
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
    row_history: Mapping[str, Sequence[int]] | None = None,
) -> Generated:
    """Profile the selected models (one connection, one pass per table) and propose CheckSpecs.

    `row_history`: node unique_id -> its recorded row counts, newest first (from the run history)."""
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
            if cfg["schema"]:
                out.specs.extend(_schema_proposals(node, table))
            if cfg["row_counts"]:
                history = (row_history or {}).get(node.unique_id, ())
                out.specs.extend(_row_count_proposals(node, table.row_count, history, cfg))
        if cfg["relationships"]:
            out.specs.extend(_relationship_proposals(conn, manifest, profiles, cfg, target.type))
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
            # a snapshot keeps every version of a row: its natural key repeats once a row changes
            versioned = node.resource_type == "snapshot" and col.name.lower() != "dbt_scd_id"
            if col.distinct == n and _key_like(col.name) and not versioned:
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
            low, high = _widen_numeric(lo, hi, cfg["numeric_range_margin"], integral)
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


def _schema_proposals(node: Node, table: prof.TableProfile) -> list[CheckSpec]:
    """The columns of today (more may come) and the type family of each column a contract does not type."""
    names = [c.name for c in table.columns]
    specs = [_spec(node, "table_columns", (), {"columns": names}, f"{len(names)} columns today")]
    for col in table.columns:
        if col.family not in catalog.TYPE_FAMILIES:
            continue
        declared = node.columns.get(col.name)
        if node.contract_enforced and declared is not None and declared.data_type:
            continue  # the contract's data_type check says more
        specs.append(
            _spec(node, "column_type", (col.name,), {"family": col.family}, f"{col.data_type} today")
        )
    return specs


def row_count_bound(today: int, history: Sequence[int], cfg: Mapping[str, Any]) -> int | None:
    """The lower bound on the row count, or None: too little history, or a table that is sometimes empty.

    The lowest of today's count and the last `row_count_history` recorded ones, less `row_count_margin`:
    at most today's count, so the check passes today; half of the rows gone fails it whenever the margin
    is below 0.5 and the table did not shrink that much before."""
    recent = [int(v) for v in list(history)[: cfg["row_count_history"]]]
    if len(recent) < cfg["row_count_min_history"]:
        return None
    lowest = min([today, *recent])
    if lowest <= 0:
        return None
    return max(math.floor(lowest * (1 - cfg["row_count_margin"])), 1)


def _row_count_proposals(
    node: Node, today: int, history: Sequence[int], cfg: Mapping[str, Any]
) -> list[CheckSpec]:
    bound = row_count_bound(today, history, cfg)
    if bound is None:
        return []
    recent = list(history)[: cfg["row_count_history"]]
    why = f"{len(recent)} recorded counts {min(recent):,} .. {max(recent):,}, today {today:,}"
    return [_spec(node, "row_count_between", (), {"min_value": bound}, why)]


def entity_words(column: str) -> set[str]:
    """The names a model holding `column`'s entity may have: order_id -> order, orders; category_key ->
    category, categories."""
    lowered = column.lower()
    stem = next((lowered[: -len(s)] for s in _KEY_SUFFIXES if lowered.endswith(s)), "")
    if not stem:
        return set()
    plural = {stem + "s", stem + "es"}
    if stem.endswith("y"):
        plural.add(stem[:-1] + "ies")
    return {stem, *plural}


def names_entity(model_name: str, column: str) -> bool:
    """True when the model's name says it holds the column's entity: `orders`, `stg_orders`,
    `fct_orders`, `dim_order`, `orders_snapshot` for `order_id` (prefixes such as stg_/dim_/fct_ and a
    suffix such as _snapshot/_history may surround it; `order_items` holds items, not orders)."""
    words = entity_words(column)
    tokens = model_name.lower().split("_")
    while len(tokens) > 1 and tokens[0] in _ENTITY_PREFIXES:
        tokens = tokens[1:]
    if len(tokens) > 1 and tokens[-1] in _ENTITY_SUFFIXES:
        tokens = tokens[:-1]
    return "_".join(tokens) in words


def _relationship_proposals(
    conn: Any,
    manifest: Manifest,
    profiles: Mapping[str, tuple[Node, str, prof.TableProfile]],
    cfg: Mapping[str, Any],
    dialect: str = "postgres",
) -> list[CheckSpec]:
    """child.<x_id> -> parent.<x_id> when the parent column is a complete key of the same type family and
    every child value is in it.

    First among upstream models and snapshots: the dbt test then never runs before its parent is built,
    and `dbt build --select <a seed>` does not pick up tests of models that depend on the seed. Then, for
    a model (not a seed) with no upstream parent for the column, among sibling models, neither upstream
    nor downstream of it, whose name says they hold the entity (`sibling_relationships`); dbt runs such a
    test, which has two parents, after both are built. Never into a downstream model: the test would
    wait for it, and it is built from the checked one anyway. One inclusion query per candidate, smallest
    key first, until one holds."""
    keys: dict[str, list[tuple[Node, str, prof.TableProfile, prof.ColumnProfile]]] = {}
    for node, rel, table in profiles.values():
        if table.row_count < cfg["min_rows"]:
            continue
        for col in table.columns:
            if _key_like(col.name) and col.non_null == table.row_count and col.distinct == table.row_count:
                keys.setdefault(col.name.lower(), []).append((node, rel, table, col))
    ancestors: dict[str, set[str]] = {}

    def upstream_of(uid: str) -> set[str]:
        if uid not in ancestors:
            ancestors[uid] = manifest.ancestors(uid)
        return ancestors[uid]

    specs: list[CheckSpec] = []
    for node, rel, table, in sorted(profiles.values(), key=lambda p: p[0].unique_id):  # fmt: skip
        if table.row_count < cfg["min_rows"]:
            continue
        upstream = upstream_of(node.unique_id)
        for col in table.columns:
            if not _key_like(col.name) or col.non_null == 0:
                continue
            fitting = [k for k in keys.get(col.name.lower(), []) if k[0].unique_id != node.unique_id
                       and k[0].resource_type in ("model", "snapshot")
                       and k[3].family == col.family and k[2].row_count >= col.distinct]  # fmt: skip
            rank = lambda k: (k[2].row_count, k[0].unique_id)  # noqa: E731
            # the smallest complete key holding the column's values is the most dimension-like parent
            tiers = [sorted((k for k in fitting if k[0].unique_id in upstream), key=rank)]
            if cfg["sibling_relationships"] and node.resource_type == "model":
                siblings = [
                    k for k in fitting
                    if k[0].resource_type == "model" and k[0].unique_id not in upstream
                    and node.unique_id not in upstream_of(k[0].unique_id) and names_entity(k[0].name, col.name)
                ]  # fmt: skip
                tiers.append(sorted(siblings, key=rank))
            found = _first_parent(conn, rel, col, tiers, dialect)
            if found is not None:
                parent, pcol, sibling = found
                what = "sibling model" if sibling else "upstream"
                specs.append(
                    _spec(
                        node,
                        "relationships",
                        (col.name,),
                        {"to": parent.unique_id, "field": pcol.name},
                        f"every value is in {parent.name}.{pcol.name} ({what})",
                    )
                )
    return specs


def _first_parent(
    conn: Any,
    rel: str,
    col: prof.ColumnProfile,
    tiers: Sequence[Sequence[tuple[Node, str, prof.TableProfile, prof.ColumnProfile]]],
    dialect: str = "postgres",
) -> tuple[Node, prof.ColumnProfile, bool] | None:
    for tier_index, tier in enumerate(tiers):
        for parent, parent_rel, _ptable, pcol in tier:
            if prof.missing_count(conn, rel, col.name, parent_rel, pcol.name, dialect) == 0:
                return parent, pcol, tier_index > 0
    return None
