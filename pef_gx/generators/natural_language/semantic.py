"""The project's dbt semantic layer (MetricFlow YAML, dbt 1.6+) as parts `ask` composes with: measures
(an aggregation of an SQL expression over one model), metrics by name or label (simple ones, with
their filter, and ratios of two simple metrics of one model), dimensions (time dimensions with their
grain) and entities (keys, and the joins between models they declare). Read from manifest.json as plain
JSON; a project without a semantic layer has an empty one and `ask` works as before.

What is not composed (cumulative, derived and conversion metrics, median/percentile measures, filters
other than `{{ Dimension('entity__dim') }} = | <> | in ...`) stays known by name, so a request naming it is
refused with the reason instead of being read as something else."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks.sql_template import quote_literal

# MetricFlow aggregation -> SQL ({} is the measure's expression)
AGGS = {"sum": "sum({})", "count": "count({})", "count_distinct": "count(distinct {})", "average": "avg({})",
        "min": "min({})", "max": "max({})", "sum_boolean": "sum(case when ({}) then 1 else 0 end)"}  # fmt: skip
ADDITIVE = ("sum", "count", "sum_boolean")  # a total of per-entity values is meaningful
GRAINS = ("day", "week", "month", "quarter", "year")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILTER = re.compile(
    r"^\s*\{\{\s*Dimension\(\s*['\"](?P<ref>[A-Za-z0-9_]+)['\"]\s*\)\s*\}\}\s*"
    r"(?P<op>=|!=|<>|not\s+in|in)\s*(?P<rhs>.+?)\s*$",
    re.I,
)
_LITERAL = re.compile(r"\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?))\s*")

Qualify = Callable[[str], str]


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _unsafe(expr: str) -> bool:
    """SQL that could not go into a dbt model as it is (Jinja) or that hides more than an expression."""
    return bool(re.search(r"\{\{|\{%|\{#|;|--|/\*", expr))


@dataclass(frozen=True)
class Measure:
    """A metric or a measure: agg(expr) over the rows of one model that pass `filters`."""

    name: str
    kind: str  # "metric" | "measure"
    semantic_model: str
    model_id: str  # the dbt model it aggregates
    agg: str  # MetricFlow's aggregation, or "ratio"
    expr: str = ""  # SQL per row (a plain column or an expression of the project's own)
    filters: tuple[tuple[str, str, tuple[Any, ...]], ...] = ()  # (column, = | <> | in | not in, values)
    numerator: Measure | None = None  # ratios
    denominator: Measure | None = None
    time_column: str | None = None  # agg_time_dimension's column
    time_grain: str | None = None
    label: str | None = None
    refused: str | None = None  # why it cannot be composed

    def _cell(self, qi: Qualify) -> str:
        return qi(self.expr) if _PLAIN.fullmatch(self.expr) else self.expr

    def conditions(self, qi: Qualify) -> list[str]:
        out = []
        for column, op, values in self.filters:
            listed = ", ".join(quote_literal(v) for v in values)
            if op in ("in", "not in"):
                out.append(f"{qi(column)} {op} ({listed})")
            else:
                out.append(f"{qi(column)} {op} {listed}")
        return out

    def aggregate(self, qi: Qualify, folded: bool = False) -> str:
        """The SQL aggregate; `folded`: the metric's filters inside it (a ratio's parts), not in WHERE."""
        if self.agg == "ratio" and self.numerator and self.denominator:
            return (
                f"cast({self.numerator.aggregate(qi, True)} as double precision)"
                f" / nullif({self.denominator.aggregate(qi, True)}, 0)"
            )
        cell = self._cell(qi)
        if folded and self.filters:
            cell = f"case when {' and '.join(self.conditions(qi))} then {cell} end"
        return AGGS[self.agg].format(cell)

    def describe(self) -> str:
        shown = self.aggregate(lambda c: c)
        where = self.conditions(lambda c: c)
        return shown + (f" where {' and '.join(where)}" if where and self.agg != "ratio" else "")


@dataclass(frozen=True)
class Dimension:
    name: str
    column: str  # a plain column of the model (dimensions with an expression are not grouped by)
    model_id: str
    grain: str | None = None  # time dimensions


@dataclass(frozen=True)
class Entity:
    name: str
    type: str  # primary | unique | natural | foreign
    column: str
    model_id: str


@dataclass
class SemanticLayer:
    measures: list[Measure] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    time_spines: frozenset[str] = frozenset()  # model unique_ids MetricFlow needs (not data to aggregate)

    def __bool__(self) -> bool:
        return bool(self.measures or self.dimensions or self.entities)

    def lookup(self, words: str) -> list[Measure]:
        """Metrics first, then measures, whose name or label the words say ('collected revenue')."""
        key = squash(words)
        if not key:
            return []
        hits = [m for m in self.measures if key in (squash(m.name), squash(m.label or ""))]
        return sorted(hits, key=lambda m: m.kind != "metric")

    def mentioned(self, text: str) -> bool:
        words = re.findall(r"[A-Za-z0-9_]+", text)
        return any(
            self.lookup(" ".join(words[i : i + n])) for n in (3, 2, 1) for i in range(len(words) - n + 1)
        )

    def dimension(self, model_id: str, words: str) -> Dimension | None:
        key = squash(words)
        hits = [d for d in self.dimensions if d.model_id == model_id and squash(d.name) == key]
        return hits[0] if len(hits) == 1 else None

    def joins(self, model_id: str) -> list[tuple[str, str, str]]:
        """(local column, parent model id, parent column): a foreign entity of the model and the model
        where that entity is primary/unique (one row per key: a join there duplicates no row)."""
        out = []
        for foreign in (e for e in self.entities if e.model_id == model_id and e.type == "foreign"):
            for home in self.entities:
                if (
                    home.name == foreign.name
                    and home.type in ("primary", "unique")
                    and home.model_id != model_id
                ):
                    out.append((foreign.column, home.model_id, home.column))
        return out


def _node_of(semantic: Mapping[str, Any]) -> str | None:
    nodes = [n for n in (semantic.get("depends_on") or {}).get("nodes") or [] if str(n).startswith("model.")]
    return str(nodes[0]) if len(nodes) == 1 else None


def _grain(dim: Mapping[str, Any]) -> str | None:
    params = dim.get("type_params") or {}
    grain = str(params.get("time_granularity") or "").lower()
    return grain or None


def read_semantic_layer(raw: Mapping[str, Any]) -> SemanticLayer:
    layer = SemanticLayer(
        time_spines=frozenset(
            uid
            for uid, node in (raw.get("nodes") or {}).items()
            if isinstance(node, dict) and node.get("time_spine")
        )
    )
    by_measure: dict[str, Measure] = {}
    dims_of: dict[str, dict[str, Dimension]] = {}  # semantic model -> dimension name -> dimension
    entities_of: dict[str, set[str]] = {}
    for semantic in (raw.get("semantic_models") or {}).values():
        model_id = _node_of(semantic)
        if model_id is None:
            continue
        name = str(semantic.get("name"))
        dims: dict[str, Dimension] = {}
        for dim in semantic.get("dimensions") or []:
            column = str(dim.get("expr") or dim.get("name"))
            if not _PLAIN.fullmatch(column):
                continue  # an expression dimension: not a column to group by
            grain = _grain(dim) if dim.get("type") == "time" else None
            dims[str(dim["name"])] = Dimension(str(dim["name"]), column, model_id, grain)
        dims_of[name] = dims
        layer.dimensions.extend(dims.values())
        for ent in semantic.get("entities") or []:
            column = str(ent.get("expr") or ent.get("name"))
            if _PLAIN.fullmatch(column):
                layer.entities.append(Entity(str(ent["name"]), str(ent.get("type")), column, model_id))
                entities_of.setdefault(name, set()).add(str(ent["name"]))
        default_time = (semantic.get("defaults") or {}).get("agg_time_dimension")
        for raw_measure in semantic.get("measures") or []:
            agg = str(raw_measure.get("agg") or "").lower()
            expr = str(raw_measure.get("expr") or raw_measure.get("name"))
            time_name = raw_measure.get("agg_time_dimension") or default_time
            time_dim = dims.get(str(time_name)) if time_name else None
            refused = None
            if agg not in AGGS:
                refused = (
                    f"its aggregation '{agg}' is not composed (sum, count, count_distinct, average, min, max)"
                )
            elif _unsafe(expr):
                refused = "its expression cannot be written into a dbt model"
            elif raw_measure.get("non_additive_dimension"):
                refused = "it is semi-additive (non_additive_dimension): not composed"
            measure = Measure(
                name=str(raw_measure["name"]), kind="measure", semantic_model=name, model_id=model_id, agg=agg,
                expr=expr, time_column=time_dim.column if time_dim else None,
                time_grain=time_dim.grain if time_dim else None, label=raw_measure.get("label"), refused=refused,
            )  # fmt: skip
            by_measure[measure.name] = measure
            layer.measures.append(measure)
    metrics = {str(m.get("name")): m for m in (raw.get("metrics") or {}).values()}
    simple: dict[str, Measure] = {}
    for raw_metric in metrics.values():
        if raw_metric.get("type") == "simple":
            simple[str(raw_metric["name"])] = _simple(raw_metric, by_measure, dims_of, entities_of)
    for name, raw_metric in metrics.items():
        metric = simple.get(name) or _other(raw_metric, simple)
        layer.measures.append(metric)
    return layer


def _refused(raw_metric: Mapping[str, Any], why: str, model: Measure | None = None) -> Measure:
    return Measure(
        name=str(raw_metric["name"]), kind="metric", semantic_model=model.semantic_model if model else "",
        model_id=model.model_id if model else "", agg=model.agg if model else "", label=raw_metric.get("label"),
        refused=why,
    )  # fmt: skip


def _simple(
    raw_metric: Mapping[str, Any],
    by_measure: Mapping[str, Measure],
    dims_of: Mapping[str, Mapping[str, Dimension]],
    entities_of: Mapping[str, set[str]],
) -> Measure:
    params = raw_metric.get("type_params") or {}
    measure_ref = params.get("measure") or {}
    measure = by_measure.get(str(measure_ref.get("name")))
    if measure is None:
        return _refused(raw_metric, "its measure is not in a semantic model of a dbt model")
    if measure.refused:
        return _refused(raw_metric, f"its measure {measure.name}: {measure.refused}", measure)
    if measure_ref.get("fill_nulls_with") is not None or measure_ref.get("join_to_timespine"):
        return _refused(raw_metric, "it fills periods from the time spine: not composed", measure)
    filters = []
    for source in (raw_metric.get("filter"), measure_ref.get("filter")):
        for where in (source or {}).get("where_filters") or []:
            read = _read_filter(str(where.get("where_sql_template") or ""), measure, dims_of, entities_of)
            if isinstance(read, str):
                return _refused(raw_metric, read, measure)
            filters.append(read)
    return Measure(
        name=str(raw_metric["name"]), kind="metric", semantic_model=measure.semantic_model,
        model_id=measure.model_id, agg=measure.agg, expr=measure.expr, filters=tuple(filters),
        time_column=measure.time_column, time_grain=measure.time_grain, label=raw_metric.get("label"),
    )  # fmt: skip


def _read_filter(
    text: str,
    measure: Measure,
    dims_of: Mapping[str, Mapping[str, Dimension]],
    entities_of: Mapping[str, set[str]],
) -> tuple[str, str, tuple[Any, ...]] | str:
    """(column, operator, values) of a filter on a dimension of the measure's own semantic model, else
    the reason it is not read."""
    found = _FILTER.match(text)
    if not found:
        return f"its filter {text.strip()!r} is not one `ask` reads (Dimension(...) =, <> or in values)"
    entity, _, dim = found["ref"].rpartition("__")
    dimension = dims_of.get(measure.semantic_model, {}).get(dim)
    if dimension is None or (entity and entity not in entities_of.get(measure.semantic_model, set())):
        return f"its filter is on {found['ref']}, not a dimension of semantic model {measure.semantic_model}"
    op = re.sub(r"\s+", " ", found["op"].lower()).replace("!=", "<>")
    rhs = found["rhs"].strip()
    if op in ("in", "not in"):
        if not (rhs.startswith("(") and rhs.endswith(")")):
            return f"its filter {text.strip()!r} is not one `ask` reads"
        rhs = rhs[1:-1]
    values: list[Any] = []
    for part in rhs.split(","):
        literal = _LITERAL.fullmatch(part)
        if not literal:
            return f"its filter {text.strip()!r} is not one `ask` reads (quoted values or numbers)"
        values.append(literal[1].replace("''", "'") if literal[1] is not None else float(literal[2]))
    if op in ("=", "<>") and len(values) != 1:
        return f"its filter {text.strip()!r} is not one `ask` reads"
    return dimension.column, op, tuple(values)


def _other(raw_metric: Mapping[str, Any], simple: Mapping[str, Measure]) -> Measure:
    kind = str(raw_metric.get("type"))
    if kind != "ratio":
        return _refused(raw_metric, f"it is a {kind} metric: only simple and ratio metrics are composed")
    params = raw_metric.get("type_params") or {}
    parts = []
    for side in ("numerator", "denominator"):
        ref = params.get(side) or {}
        part = simple.get(str(ref.get("name")))
        if (
            part is None
            or part.refused
            or ref.get("filter")
            or ref.get("offset_window")
            or ref.get("offset_to_grain")
        ):
            return _refused(raw_metric, f"its {side} is not a simple metric `ask` composes")
        parts.append(part)
    if raw_metric.get("filter"):
        return _refused(raw_metric, "a ratio with a filter of its own is not composed", parts[0])
    num, den = parts
    if num.model_id == den.model_id and num.time_column != den.time_column:
        return _refused(raw_metric, "its numerator and denominator have different time dimensions", num)
    if num.model_id != den.model_id:
        return _refused(
            raw_metric,
            f"its numerator ({num.semantic_model}) and denominator ({den.semantic_model}) are on different"
            " models: each would have to be aggregated on its own first (not composed)",
            num,
        )
    return Measure(
        name=str(raw_metric["name"]), kind="metric", semantic_model=num.semantic_model, model_id=num.model_id,
        agg="ratio", numerator=num, denominator=den, time_column=num.time_column, time_grain=num.time_grain,
        label=raw_metric.get("label"),
    )  # fmt: skip
