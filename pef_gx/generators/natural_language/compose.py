"""Model requests composed from parts, not a fixed list: a measure and its aggregation (count, sum,
average, min/max, first/last, share), filters on the values a column holds, a time grain, a grouping
column and a time window, read from the request; every word must be used or the request is refused.

The parts are checked against one source model: every column and value must be one it has."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.checks.sql_template import quote_literal
from pef_gx.generators.natural_language.joins import JoinPath, join_column, join_value, paths
from pef_gx.generators.natural_language.project import (
    FILLER,
    GENERATED_FOLDER,
    ModelInfo,
    ModelIntent,
    NotUnderstood,
    ProjectIndex,
    Reading,
    _comment_safe,
    _ident,
    _key,
    _squash,
    _stem,
    _variants,
    find_column,
    model_candidates,
    refuse_unread,
)
from pef_gx.generators.natural_language.semantic import ADDITIVE, GRAINS, Measure

PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
           "annual": "year", "annually": "year"}  # fmt: skip

_PERIOD = re.compile(
    r"\b(?P<adj>daily|weekly|monthly|quarterly|yearly|annual|annually)\b"
    r"|\b(?:per|by|each|every|a|for each|for every)\s+(?P<noun>day|week|month|quarter|year)\b",
    re.I,
)
_WINDOW = re.compile(
    r"\b(?:in|during|for)\s+(?:the\s+year\s+)?(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?:in\s+|over\s+|during\s+|for\s+)?the\s+(?:last|past)\s+(?P<n>\d+)\s+(?P<unit>days?|weeks?|months?|years?)\b",
    re.I,
)
_GROUP = r"(?:per|by|for each|for every|broken down by|grouped by|split by|across)"
_AGGS: tuple[tuple[str, str], ...] = (
    (r"(?:percentage|percent|pct|%)\s+of", "percent"),
    (r"(?:share|proportion|fraction|ratio|rate)\s+of", "share"),
    (r"(?:average|avg|mean)", "avg"),
    (r"(?:minimum|min|lowest|smallest)", "min"),
    (r"(?:maximum|max|highest|largest|biggest)", "max"),
    (r"(?:first|earliest)", "first"),
    (r"(?:last|latest|most recent)", "last"),
    (r"(?:number of distinct|count of distinct|distinct number of|number of unique|count of unique|distinct|unique)", "distinct"),
    (r"(?:number of|count of|count|how many)", "count"),
    (r"(?:total|sum of|sum)", "sum"),
)  # fmt: skip
# measure words -> (aggregation, column role)
MEASURE_WORDS = {"revenue": ("sum", "amount"), "sales": ("sum", "amount"), "turnover": ("sum", "amount"),
                 "spend": ("sum", "amount"), "units": ("sum", "quantity"), "items sold": ("sum", "quantity"),
                 "units sold": ("sum", "quantity"), "quantity sold": ("sum", "quantity"),
                 "order value": ("avg", "amount")}  # fmt: skip
_AMOUNT = (r"^order_amount$", r"^amount$", r"^(?:revenue|sales|total_amount|net_amount|gross_amount|line_total|total_price|order_total|total_due|total)$", r"_amount$")  # fmt: skip
_QUANTITY = (r"^quantity$", r"^(?:qty|units|quantity_ordered)$")
_META_TIME = re.compile(r"(?:^|_)(?:loaded|load|synced|ingested|etl|updated|modified|dbt)(?:_|$)", re.I)
_SKIP = FILLER | {
    "all",
    "each",
    "every",
    "rows",
    "row",
    "records",
    "record",
    "that",
    "were",
    "was",
    "whose",
    "from",
    "who",
}
_CONNECTORS = (
    "in",
    "from",
    "with",
    "whose",
    "where",
    "located",
    "based",
)  # before a value: "customers in Germany"


@dataclass
class _Plan:
    model: ModelInfo
    limit: int | None = None  # top N
    index: ProjectIndex | None = None
    joins: list[JoinPath] = field(default_factory=list)  # related models joined (each with its prefixes)
    agg: str | None = None
    measure: str | None = None  # column
    entity: str | None = None  # words naming what is counted
    entity_key: str | None = None  # column counted distinct (None: rows)
    conditions: dict[str, list[str]] = field(default_factory=dict)  # column -> values (filter)
    share: dict[str, list[str]] = field(default_factory=dict)  # column -> values (numerator of a share)
    unread: list[str] = field(default_factory=list)
    reading: list[Reading] = field(default_factory=list)
    semantic: Measure | None = None  # a metric or measure of the project's semantic layer, named
    timed: bool = False  # the request has a time grain or window
    date_word: str | None = None  # the date column a verb named ('opened' -> opened_on)
    worded: bool = False  # the measure came from a measure word ('items sold': a sum of quantity)
    refusal: str | None = None  # why a named metric cannot be composed
    _reachable: list[JoinPath] | None = None

    def reachable(self) -> list[JoinPath]:
        """The related models this plan's source may join (towards their unique key)."""
        if self._reachable is None:
            self._reachable = paths(self.index, self.model) if self.index is not None else []
        return self._reachable

    def alias(self, path: JoinPath) -> str:
        """The SQL alias of the path's last model (j1, j2, ...): each path joined once, prefixes first."""
        for n in range(1, len(path) + 1):
            if path[:n] not in self.joins:
                self.joins.append(path[:n])
        return f"j{self.joins.index(path) + 1}"

    def joined(self, path: JoinPath, column: str) -> str:
        """The plan's name for a column of a joined model: 'j:<alias>.<column>'."""
        return f"j:{self.alias(path)}.{column}"


def _date_column(model: ModelInfo) -> str | None:
    for pattern in (
        r"^order_date$",
        r"^(?:ordered_at|order_ts|sale_date|transaction_date|purchase_date|date)$",
    ):
        for col in model.columns:
            if re.search(pattern, col.lower()):
                return col
    typed = [
        c for c, t in model.columns.items()
        if t and re.search(r"date|time", t.lower()) and not _META_TIME.search(c)
    ]  # fmt: skip
    if len(typed) == 1:
        return typed[0]
    named = [
        c for c in model.columns if re.search(r"(?:_date|_on|_at)$", c.lower()) and not _META_TIME.search(c)
    ]
    return named[0] if len(named) == 1 else None


def _role(model: ModelInfo, patterns: Sequence[str]) -> str | None:
    for pattern in patterns:
        for col in model.columns:
            if re.search(pattern, col.lower()):
                return col
    return None


def _is_numeric(model: ModelInfo, column: str) -> bool:
    typ = (model.columns.get(column) or "").lower()
    return not typ or bool(re.search(r"int|numeric|decimal|double|float|real|number|money", typ))


def _entity(
    model: ModelInfo, words: str, index: ProjectIndex | None = None
) -> tuple[bool, str | None] | None:
    """(counts the model's rows, key to count distinct) when `words` names the model's entity or a key."""
    stems = {_squash(v) for v in _variants(words)}
    if _squash(_stem(model.name)) in stems:
        return True, None
    key = _key_column(model, words, index)
    return (False, key) if key else None


def _key_column(model: ModelInfo, words: str, index: ProjectIndex | None) -> str | None:
    """The column of `model` that identifies the entity the words name: <word>_id and the like, else the
    unique key of a model named like the words ("account" -> stg_accounts.acct_id) when `model` has it."""
    for variant in _variants(words):
        for suffix in ("_id", "_no", "_key", "_code"):
            col = find_column(model, variant + suffix)
            if col:
                return col
    if index is None:
        return None
    for other in model_candidates(index, words):
        if other.unique_id == model.unique_id:
            continue
        for key in sorted(other.unique_columns):
            col = find_column(model, key)
            if col:
                return col
    return None


def _value_column(model: ModelInfo, word: str) -> tuple[str, str] | None:
    hits = [
        (col, value) for col, values in model.values.items() for value in values
        if value.lower() == word.lower() or _squash(value) == _squash(word)
    ]  # fmt: skip
    return hits[0] if len({c for c, _ in hits}) == 1 else None


def _read_phrase(plan: _Plan, words: list[str], into: dict[str, list[str]]) -> None:
    """Columns, values and entities in `words` (longest match first); the rest goes to plan.unread."""
    i = 0
    while i < len(words):
        step = _read_at(plan, words, i, into)
        if step == 0:
            plan.unread.append(words[i])
            step = 1
        i += step


def _read_at(plan: _Plan, words: list[str], i: int, into: dict[str, list[str]]) -> int:
    model = plan.model
    for size in (3, 2, 1):
        if i + size > len(words):
            continue
        chunk = " ".join(words[i : i + size])
        low = chunk.lower()
        if size == 1 and low in _SKIP:
            return 1
        if size == 1 and low in _CONNECTORS and _value_at(plan, words, i + 1):
            return 1  # "customers in Germany": the value says which rows
        if (
            into is plan.conditions
            and plan.index is not None
            and plan.semantic is None
            and plan.measure is None
        ):
            named = plan.index.semantic.lookup(chunk)
            if named:  # the project's own metric or measure: read on its model only
                mine = [m for m in named if m.model_id in (model.unique_id, "")]
                if mine and mine[0].refused:
                    plan.refusal = f"{mine[0].kind} {mine[0].name} cannot be composed: {mine[0].refused}"
                if not mine or mine[0].refused:
                    return 0
                plan.semantic, plan.measure = mine[0], f"{mine[0].kind}:{mine[0].name}"
                plan.reading.append(
                    Reading(mine[0].kind, f"{mine[0].name} = {mine[0].describe()} (semantic model"
                            f" {mine[0].semantic_model})", chunk)
                )  # fmt: skip
                return size
        if size == 1 and low in ("date", "day", "time") and plan.agg in ("first", "last"):
            return 1  # "first invoice date": the date of the first invoice
        if low in MEASURE_WORDS and plan.measure is None:
            agg, role = MEASURE_WORDS[low]
            col = _role(model, _AMOUNT if role == "amount" else _QUANTITY)
            if col:  # "number of items sold" is a sum of quantity, not a count of it
                plan.measure, plan.worded = col, True
                plan.agg = agg if plan.agg in (None, "count") else plan.agg
                plan.reading.append(Reading("measure", col, chunk))
                return size
        hit = _value_column(model, chunk)
        after_entity = bool(plan.reading) and plan.reading[-1].part == "counted" and i > 0
        if hit and after_entity and plan.reading[-1].words == words[i - 1]:
            plan.refusal = (  # "orders placed per week": whose status is placed, or all orders (placing them)?
                f"which is meant? '{words[i - 1]} {chunk}' can be the {words[i - 1]} whose {hit[0]} is"
                f" {hit[1]}, or every one of the {words[i - 1]} ({chunk} as a verb); say '{chunk}"
                f" {words[i - 1]}' for the first, '{words[i - 1]}' alone for the second"
            )
            return 0
        if hit:
            into.setdefault(hit[0], []).append(hit[1])
            plan.reading.append(Reading("filter", f"{hit[0]} = {hit[1]}", chunk))
            return size
        if size <= 2 and plan.timed and plan.date_word is None and low.split()[0].endswith("ed"):
            said = {_squash(low), _squash(low.split()[0][:-2] + "".join(low.split()[1:]))}
            dated = [c for c in model.columns if _squash(re.sub(r"_(?:on|at|date)$", "", c.lower())) in said
                     and re.search(r"_(?:on|at|date)$", c.lower())]  # fmt: skip
            if len(dated) == 1:  # "accounts opened per month": by opened_on; "signed up": signup_date
                plan.date_word = dated[0]
                plan.reading.append(Reading("date", dated[0], chunk))
                return size
        col = find_column(model, chunk)
        if col and plan.measure is None and (plan.entity is None or plan.entity_key is None):
            plan.measure = col
            plan.reading.append(Reading("measure", col, chunk))
            return size
        entity = _entity(model, chunk, plan.index)
        lines = re.fullmatch(r"(?P<of>\S+(?: \S+)?) (?:lines|line items)", low)
        if lines and plan.measure is None and plan.entity is None:
            owner = _entity(model, lines["of"], plan.index)
            if owner and owner[1] and owner[1] not in model.unique_columns and model.unique_columns:
                plan.entity = chunk  # "order lines": the rows of a model below the order (its own key)
                plan.reading.append(Reading("counted", f"rows of {model.name} (lines of {owner[1]})", chunk))
                return size
        if entity and entity[1] and i + 2 < len(words) and words[i + 1].lower() in _CONNECTORS:
            far = _joined_value(plan, words, i + 2)
            if far and far[0][0].local == entity[1]:  # "customers" in "orders of customers in Germany"
                plan.reading.append(Reading("rows", f"joined on {entity[1]}", chunk))
                return size
        if entity and plan.entity is not None and entity == _entity(model, plan.entity, plan.index):
            plan.reading.append(Reading("rows", f"(the {plan.entity} again)", chunk))
            return size  # "average invoice amount for paid invoices"
        after_joined = bool(plan.reading) and "(joined: " in plan.reading[-1].value
        if after_joined and _names_joined(plan, chunk):  # "enterprise accounts": whose account is enterprise
            plan.reading.append(Reading("rows", f"whose {chunk} match that filter", chunk))
            return size
        after_value = bool(plan.reading) and plan.reading[-1].part == "filter" and i > 0
        if entity and not entity[0] and after_value and plan.measure is not None and plan.entity is None:
            plan.entity = (
                chunk  # "revenue of completed orders" in a line-level model: the rows of those orders
            )
            plan.reading.append(Reading("rows", f"{model.name} (the lines of {chunk})", chunk))
            return size
        if entity and entity[0] and plan.measure is not None and plan.entity is None:
            plan.entity = chunk  # "revenue of shipped orders": the rows the measure is summed over
            plan.reading.append(Reading("rows", model.name, chunk))
            return size
        if entity and plan.entity is None and (plan.measure is None or plan.agg in ("first", "last")):
            plan.entity = chunk
            plan.entity_key = entity[1]
            plan.reading.append(Reading("counted", entity[1] or f"rows of {model.name}", chunk))
            return size
        far = _joined_value(plan, chunk)
        if far and after_entity and plan.reading[-1].words == words[i - 1]:
            plan.refusal = (
                f"which is meant? '{words[i - 1]} {chunk}': name the column '{chunk}' is a value of"
            )
            return 0
        if far:  # a value of a related model: "orders of customers in Germany"
            path, col, value = far
            into.setdefault(plan.joined(path, col), []).append(value)
            via = " -> ".join(h.parent.name for h in path)
            plan.reading.append(
                Reading("filter", f"{path[-1].parent.name}.{col} = {value} (joined: {via})", chunk)
            )
            return size
    return 0


def _joined_value(
    plan: _Plan, words: str | list[str], at: int | None = None
) -> tuple[JoinPath, str, str] | None:
    """A value of a related model the words (or the words from `at` on, longest first) say."""
    if plan.index is None:
        return None
    if isinstance(words, str):
        return join_value(plan.reachable(), words)
    for size in (3, 2, 1):
        if at is not None and at + size <= len(words):
            found = join_value(plan.reachable(), " ".join(words[at : at + size]))
            if found:
                return found
    return None


def _names_joined(plan: _Plan, words: str) -> bool:
    """Whether the words name a model the plan joined, or an entity whose key one of them holds."""
    said = {_squash(v) for v in _variants(words)}
    models = [plan.model, *(hop.parent for path in plan.joins for hop in path)]
    if any(_squash(_stem(m.name)) in said for m in models[1:]):
        return True
    for named in model_candidates(plan.index, words) if plan.index is not None else []:
        if any(find_column(m, k) for k in named.unique_columns for m in models[1:]):
            return True
    return False


def _value_at(plan: _Plan, words: list[str], at: int) -> bool:
    """Whether the words from `at` on start with a value of the model or of a related one."""
    for size in (3, 2, 1):
        if at + size <= len(words) and _value_column(plan.model, " ".join(words[at : at + size])):
            return True
    return _joined_value(plan, words, at) is not None


class NothingRead(NotUnderstood):
    """Not one word of the request names a column, value or entity of any model."""


def compose(
    index: ProjectIndex,
    request: str,
    body: str,
    excluded: Sequence[Any],
    source: str | None,
    name: str | None,
) -> ModelIntent:
    """A model intent for `body` (the request without its lead words); NotUnderstood when a word is left."""
    text = " " + body.lower() + " "
    reading: list[Reading] = []
    period = None
    found = _PERIOD.search(text)
    if found:
        period = PERIODS.get((found["adj"] or "").lower()) or found["noun"].lower()
        reading.append(Reading("grain", f"date_{period}", found.group(0).strip()))
        text = text[: found.start()] + " " + text[found.end() :]
    window = _WINDOW.search(text)
    if window:
        text = text[: window.start()] + " " + text[window.end() :]
    dims: list[str] = []
    limit = None
    top = re.match(
        r"(?:the\s+)?(?:(?:top|best|biggest|largest)\s+(?P<n>\d+)|(?P<n2>\d+)\s+(?:best-selling|top-selling|best|top|biggest|largest))\s+(?P<entity>[a-z0-9_ ]+?)\s+"
        r"(?:by|in terms of|ranked by)\s+(?P<rest>.+)$",
        text.strip(),
        re.I,
    )
    grouped = None if top else re.search(r"\b" + _GROUP + r"\s+(?P<dim>[a-z0-9_ ]+?)\s*$", text.strip(), re.I)
    rest = text.strip()
    if top:  # "top 5 customers by revenue of completed orders": ranked, the first N kept
        limit = int(top["n"] or top["n2"])
        if not 1 <= limit <= 10000:
            raise NotUnderstood(
                f"top {limit}: say a number from 1 to 10000", "e.g. 'top 5 customers by revenue'"
            )
        dims = [top["entity"].strip()]
        rest = top["rest"].strip()
        reading.append(Reading("limit", str(limit), top.group(0)[: top.start("entity")].strip()))
    if grouped:
        said, tail = grouped["dim"], ""
        after = re.search(r"\s+(?=(?:for|among|whose|with|in|from)\s)", said)
        if after:  # "per product category for customers in Germany": the filter is read with the measure
            said, tail = said[: after.start()], said[after.end() :]
        dims = [d.strip() for d in re.split(r"\s+and\s+|\s*,\s*", said) if d.strip()]
        for dim in list(dims):  # "by customer segment and month": the month is the time grain
            if period is None and dim.lower() in ("day", "week", "month", "quarter", "year"):
                period = dim.lower()
                reading.append(Reading("grain", f"date_{period}", dim))
                dims.remove(dim)
        rest = (rest[: grouped.start()].strip() + " " + tail).strip()
    agg = None
    average_of_count = False
    for pattern, name_ in _AGGS:
        lead = re.match(r"(?:(?:the|a|an)\s+)?" + pattern + r"\b", rest, re.I)
        if lead:
            agg = name_
            reading.append(Reading("aggregation", agg, lead.group(0).strip()))
            rest = rest[lead.end() :].strip()
            counted = re.match(r"(?:number|count)\s+of\s+", rest, flags=re.I)
            if agg == "avg" and counted:  # "average number of orders": the average of a count
                rest = rest[counted.end() :]
                average_of_count = True
            break
    words = [w for w in re.findall(r"[a-z0-9_\-']+", rest, re.I)]
    pool = [
        m for m in index.models.values()
        if m.resource_type == "model" and GENERATED_FOLDER not in Path(m.path).parts[:-1]
        and m.unique_id not in index.semantic.time_spines
    ]  # fmt: skip
    if source:
        pool = [m for m in index.models.values() if m.name == source]
        if not pool:
            raise NotUnderstood(f"no model named '{source}'", "pass --source <model>")
    attempts: list[tuple[_Plan, str | None, list[str], list[str]]] = []
    for model in pool:
        plan = _Plan(model=model, index=index, agg=None if agg in ("share", "percent") else agg)
        plan.timed = bool(period or window)
        _read_phrase(plan, words, plan.share if agg in ("share", "percent") else plan.conditions)
        if (
            plan.measure is None
            and plan.entity
            and plan.entity_key is None
            and agg in ("sum", "avg", "min", "max")
            and not average_of_count
        ):
            plan.measure = _role(model, _AMOUNT)  # "largest refund": the amount of a refund
            if plan.measure:
                plan.reading.append(Reading("measure", plan.measure, plan.entity))
        missing: list[str] = []
        if average_of_count and plan.measure and not plan.semantic and not plan.worded:
            missing.append(f"a number of rows to average ('{plan.measure}' is a column, not a count)")
        date_col = None
        if period or window:
            timed = plan.semantic.time_column if plan.semantic else None
            date_col = plan.date_word or (find_column(model, timed) if timed else _date_column(model))
            grain = plan.semantic.time_grain if plan.semantic else None
            if period and grain in GRAINS and GRAINS.index(period) < GRAINS.index(grain):
                missing.append(f"a {period} grain (the metric's time dimension {timed} is by {grain})")
        if (period or window) and date_col is None:
            missing.append("a date column")
        dim_cols = []
        for dim in dims:
            sem_dim = index.semantic.dimension(model.unique_id, dim)
            col = (
                (find_column(model, sem_dim.column) if sem_dim else None)
                or _grouping_column(index, model, dim)
                or _suffixed(model, dim)
                or _key_column(model, dim, index)
                or next(
                    (
                        find_column(model, _key(dim) + s)
                        for s in ("_name",)
                        if find_column(model, _key(dim) + s)
                    ),
                    None,
                )
            )
            if col is None:
                joined = join_column(plan.reachable(), dim)
                if joined:  # a column of a related model, joined on its unique key (no row duplicated)
                    dim_cols.append(plan.joined(*joined))
                    continue
                missing.append(f"a column for '{dim}'")
            else:
                dim_cols.append(col)
        for value in excluded:
            hit = _value_column(model, _without_entity(model, str(value)))
            if hit is None:
                missing.append(f"a column holding '{value}'")
        attempts.append((plan, date_col, dim_cols, missing))
    fits = [a for a in attempts if not a[0].unread and not a[3] and _measurable(a[0], agg)]
    question = next((a[0].refusal for a in attempts if a[0].refusal), None)
    if question:  # a named metric that is not composed, or words with two readings: never another model's
        raise NotUnderstood(question, "nothing was written")
    if not fits:
        best = min(attempts, key=lambda a: (len(a[0].unread), len(a[3])), default=None)
        if best is None:
            raise NotUnderstood("no model to read from", "build the project first")
        if not best[0].reading and not reading:
            raise NothingRead(f"could not read '{request}'")
        refusal = next((a[0].refusal for a in attempts if a[0].refusal), None)
        if refusal:
            raise NotUnderstood(refusal, "nothing was written")
        if best[0].unread:
            raise refuse_unread(request, best[0].unread)
        raise NotUnderstood(
            f"no model has everything '{request}' needs"
            + (f" (closest: {best[0].model.name}, missing {', '.join(best[3])})" if best[3] else ""),
            "name the columns as the project does, or pass --source",
        )
    if any(not f[0].joins for f in fits):  # a model that reads everything itself: no join needed
        fits = [f for f in fits if not f[0].joins]
    home = [f for f in fits if f[0].entity is not None and f[0].entity_key is None and f[0].measure is None]
    keyed = [f for f in fits if f[0].entity_key is not None and f[0].measure is None]
    if agg == "distinct" and keyed:  # "distinct customers": counted by their key where they appear
        fits = keyed
    elif home and keyed and (period or window) and not source and home[0][1] != keyed[0][1]:
        # counted per period: by the entity's own date (accounts opened) or by the date of the rows it
        # appears in (accounts invoiced)? Two answers: a question, not a guess
        raise NotUnderstood(
            f"which count is meant? '{request}' can count the rows of {home[0][0].model.name} by"
            f" {home[0][1]}, or distinct {keyed[0][0].entity_key} of {keyed[0][0].model.name} by {keyed[0][1]}",
            f"say 'distinct {plan_word(keyed[0][0])}' for the second, or pass --source (nothing was written)",
        )
    fits.sort(key=lambda a: _rank(a[0], agg))
    plan, date_col, dim_cols, _ = fits[0]
    plan.limit = limit
    if limit is not None and (period or len(dim_cols) != 1):
        raise NotUnderstood("a top N ranks one column's values", "e.g. 'top 5 customers by revenue in 2024'")
    notes = [f"source model: {plan.model.name}"]
    if len(fits) > 1:
        notes[0] += f" (also possible: {', '.join(f[0].model.name for f in fits[1:4])}; --source to choose)"
    if agg is None and plan.agg in ("avg",):  # "order value per month": an average by its measure word
        agg = plan.agg
    if agg == "count" and plan.agg in ("sum", "avg"):  # "number of items sold": the measure word's sum
        agg = plan.agg
    return _intent(index, request, body, plan, agg, period, date_col, window, dim_cols, dims, excluded, name,
                   reading, notes)  # fmt: skip


def _grouping_column(index: ProjectIndex, model: ModelInfo, words: str) -> str | None:
    """The column the words name, unless it is a number that only sounds like an entity: 'per order' is
    not a group by sales_daily.orders (a count of orders), it is the order key, which that model lacks."""
    col = find_column(model, words)
    typ = (model.columns.get(col) or "").lower() if col else ""
    numeric = bool(re.search(r"int|numeric|decimal|double|float|real|number", typ))
    if col and numeric and not _is_key(index, col) and model_candidates(index, words):
        return None
    return col


def _suffixed(model: ModelInfo, words: str) -> str | None:
    """The one column whose name ends with the words ('category' -> product_category)."""
    key = _key(words)
    hits = [c for c in model.columns if c.lower().endswith("_" + key)]
    return hits[0] if len(hits) == 1 else None


def plan_word(plan: _Plan) -> str:
    return plan.entity or "rows"


def _without_entity(model: ModelInfo, value: str) -> str:
    """'refunded invoices' -> 'refunded' when the last word names the model's rows."""
    words = value.split()
    if len(words) > 1 and _entity(model, words[-1]) == (True, None):
        return " ".join(words[:-1])
    return value


def _measurable(plan: _Plan, agg: str | None) -> bool:
    if agg in ("share", "percent"):
        return bool(plan.share)
    if agg in ("first", "last"):
        return plan.measure is not None or plan.entity is not None
    if plan.measure is None:
        return plan.entity is not None and agg in (None, "count", "distinct", "avg")
    if agg in ("sum", "avg") or (agg is None and plan.measure):
        return _is_numeric(plan.model, plan.measure)
    return True


def _rank(plan: _Plan, agg: str | None) -> tuple[Any, ...]:
    name = plan.model.name.lower()
    entity_home = plan.entity is not None and plan.entity_key is None
    return (
        not entity_home,
        len(plan.joins),  # a model that has every column itself before one that needs a join
        not name.startswith(("fct_", "fact_")),
        name.startswith(("stg_", "raw_", "base_")),
        name,
    )


def _is_key(index: ProjectIndex, column: str) -> bool:
    """A column that identifies an entity (a unique key somewhere, or named like one)."""
    column = _bare(column)
    if re.search(r"(?:_id|_no|_key|_number)$", column.lower()):
        return True
    return any(column in m.unique_columns for m in index.models.values())


def _bare(column: str) -> str:
    """The column name of a plan column ('j:j1.country_name' -> country_name)."""
    return column[2:].partition(".")[2] if column.startswith("j:") else column


def _semantic_expr(
    sem: Measure, agg: str | None, keyed: bool, qi: Any, request: str
) -> tuple[str, str | None]:
    """(aggregate SQL, per-entity aggregate for an average per key or None) of a named metric or
    measure under the request's aggregation word; a word that does not fit what it is: refused."""
    own = sem.aggregate(qi)
    counting = ("count", "count_distinct", "sum_boolean")
    if (
        agg is None
        or (agg == "sum" and sem.agg in ("sum", *counting))
        or (agg == "count" and sem.agg in counting)
        or (agg == "distinct" and sem.agg == "count_distinct")
        or ((agg == sem.agg or (agg == "avg" and sem.agg == "average")) and not keyed)
    ):
        return own, None
    if agg == "avg" and keyed and sem.agg in (*ADDITIVE, "count_distinct"):
        return "avg(per_entity_value)", own  # the average of per-entity values
    if agg in ("avg", "min", "max") and sem.kind == "measure" and sem.agg == "sum" and not sem.filters:
        return f"{agg}{sem.aggregate(qi).removeprefix('sum')}", None  # the measure's value per row
    raise NotUnderstood(
        f"{sem.kind} {sem.name} is {sem.describe()}: the {agg} of it is not one `ask` composes ('{request}')",
        f"ask for {sem.name} by its name alone (e.g. '{sem.name} per month'); nothing was written",
    )


def _slug(text: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", text.lower())).strip("_")[:60].strip("_")


def _in(column: str, values: Sequence[str], qi: Any = _ident) -> str:
    return f"{qi(column)} in ({', '.join(quote_literal(v) for v in values)})"


def _intent(index, request, body, plan, agg, period, date_col, window, dim_cols, dims, excluded, name,
            reading, notes) -> ModelIntent:  # fmt: skip
    model = plan.model
    local = (lambda c: "s." + _ident(c)) if plan.joins else _ident

    def qi(column: str) -> str:  # a column of the source (s.) or of a joined model (j1., j2., ...)
        if column.startswith("j:"):
            alias, _, col = column[2:].partition(".")
            return f"{alias}.{_ident(col)}"
        return local(column)

    filters = [_in(c, v, qi) for c, v in sorted(plan.conditions.items())]
    sem = plan.semantic
    if sem is not None and sem.agg != "ratio":
        filters.extend(sem.conditions(qi))  # the metric's own filter
    for value in excluded:
        col, exact = _value_column(model, _without_entity(model, str(value)))  # type: ignore[misc]
        filters.append(f"({qi(col)} is null or {qi(col)} not in ({quote_literal(exact)}))")
        reading.append(Reading("filter", f"{col} <> {exact}", str(value)))
    if date_col and period:
        filters.append(f"{qi(date_col)} is not null")
    if window:
        if window["year"]:
            filters.append(f"extract(year from {qi(date_col)}) = {int(window['year'])}")
        else:
            unit = window["unit"].lower().rstrip("s")
            filters.append(f"{qi(date_col)} >= current_date - interval '{int(window['n'])} {unit}'")
        reading.append(Reading("window", filters[-1], window.group(0).strip()))
    counted = "*" if plan.entity_key is None else f"distinct {qi(plan.entity_key)}"
    keys = [c for c in dim_cols if _is_key(index, c)]
    inner_expr = None
    if sem is not None:
        expr, inner_expr = _semantic_expr(sem, agg, bool(keys), qi, request)
    elif agg in ("share", "percent"):
        cond = " and ".join(_in(c, v, qi) for c, v in sorted(plan.share.items()))
        if plan.entity_key:
            key = qi(plan.entity_key)
            expr = (f"cast(count(distinct case when {cond} then {key} end) as double precision)"
                    f" / nullif(count(distinct {key}), 0)")  # fmt: skip
        else:
            expr = f"cast(sum(case when {cond} then 1 else 0 end) as double precision) / nullif(count(*), 0)"
        if agg == "percent":  # a percentage: 0 to 100
            expr = f"100 * {expr}"
    elif agg in ("first", "last"):
        col = plan.measure if plan.measure else date_col or _date_column(model)
        if col is None:
            raise NotUnderstood(f"{model.name} has no date column to take the {agg} of", "name the column")
        expr = f"{'min' if agg == 'first' else 'max'}({qi(col)})"
    elif plan.measure is None or (agg in ("count", "distinct") and plan.measure is None):
        expr = f"count({counted})"
    elif agg == "count":
        expr = f"count({qi(plan.measure)})"
    elif agg == "distinct":
        expr = f"count(distinct {qi(plan.measure)})"
    elif agg in ("avg", "min", "max"):
        expr = f"{agg}({qi(plan.measure)})"
    else:
        expr = f"sum({qi(plan.measure)})"
    inner = None
    if agg == "avg" and keys and (sem is None or inner_expr):
        # "average revenue per customer": the average of per-customer totals
        if inner_expr is None:
            inner_expr = f"count({counted})" if plan.measure is None else f"sum({qi(plan.measure)})"
        inner = {"keys": [qi(k) for k in keys], "expr": inner_expr}
        expr = "avg(per_entity_value)"
        reading.append(
            Reading("aggregation", f"avg of {inner_expr} per {', '.join(keys)}", "average ... per")
        )
        kept = [(c, d) for c, d in zip(dim_cols, dims, strict=True) if c not in keys]
        dim_cols, dims = [c for c, _ in kept], [d for _, d in kept]
    if agg == "avg" and inner is None and plan.measure is None:
        raise NotUnderstood(
            f"an average of a count needs the entity it is counted per: '{request}'",
            "e.g. 'average number of orders per customer'",
        )
    measure_words = body
    for cut in (_PERIOD, _WINDOW):
        measure_words = cut.sub(" ", measure_words)
    measure_words = re.split(r"\b" + _GROUP + r"\b", measure_words, flags=re.I)[0]
    alias = _slug(measure_words) or "value"
    if alias[0].isdigit():
        alias = "n_" + alias
    grain_exprs = []
    if period:
        grain_exprs.append(
            {"expr": f"cast(date_trunc('{period}', {qi(date_col)}) as date)", "alias": f"date_{period}"}
        )
    for col, words in zip(dim_cols, dims, strict=True):
        grain_exprs.append({"expr": qi(col), "alias": _bare(col)})
        if col.startswith("j:"):  # a column of a joined model: named by the model, not its alias
            joined = plan.joins[int(col[3:].partition(".")[0]) - 1][-1].parent.name
            reading.append(Reading("grain", f"{joined}.{_bare(col)} (joined)", words))
        else:
            reading.append(Reading("grain", col, words))
    if inner is not None:
        alias = _slug(f"average {plan.measure or plan.entity or 'rows'} per {' '.join(keys)}")
    if alias in {g["alias"] for g in grain_exprs}:
        alias = alias + "_value"
    output = name or _slug(body + (" excluding " + " ".join(str(v) for v in excluded) if excluded else ""))
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", output):
        output = "m_" + output
    if not re.fullmatch(r"[A-Za-z0-9_]+", model.name):
        raise NotUnderstood(f"cannot write ref() to a model named {model.name!r}", "pass --source")
    grain = tuple(g["alias"] for g in grain_exprs)
    source_ref = "{{ ref('" + model.name + "') }}"
    if plan.joins:
        source_ref += " as s"
    for n, path in enumerate(plan.joins, start=1):
        hop = path[-1]
        before = "s" if len(path) == 1 else f"j{plan.joins.index(path[:-1]) + 1}"
        before_name = model.name if len(path) == 1 else path[-2].parent.name
        if not re.fullmatch(r"[A-Za-z0-9_]+", hop.parent.name):
            raise NotUnderstood(f"cannot write ref() to a model named {hop.parent.name!r}", "pass --source")
        source_ref += (
            f" left join {{{{ ref('{hop.parent.name}') }}}} as j{n}"
            f" on {before}.{_ident(hop.local)} = j{n}.{_ident(hop.key)}"
        )
        notes.append(
            f"joined {hop.parent.name} on {before_name}.{hop.local} = {hop.parent.name}.{hop.key} (its unique"
            f" key{', declared' if hop.declared else ''}: no row of {model.name} is duplicated)"
        )
    slots = {
        "source_ref": source_ref,
        "grain_exprs": grain_exprs,
        "inner": inner,
        "limit": plan.limit,
        "measure_expr": expr,
        "measure_alias": alias,
        "filters": filters,
        "request": _comment_safe(request),
        "summary": _comment_safe(f"{expr} from {model.name}" + (f" by {', '.join(grain)}" if grain else "")),
        "grain": list(grain),
        "nullable": [g for g in grain if not g.startswith("date_")],
    }
    if len(grain) > 1:
        from pef_gx.generators.natural_language.models import composite_grain_test

        slots["unique_combination_test"] = composite_grain_test(index)
    columns = [(g, f"Grain: {g}.") for g in grain] + [(alias, f"{expr} over the rows of {model.name}.")]
    return ModelIntent(
        request=request,
        template="aggregate",
        name=output,
        source=model,
        slots=slots,
        grain=grain,
        columns=tuple(columns),
        description=f"Generated by `pef-gx ask` from the request: {_comment_safe(request)}. Source: {model.name}.",
        notes=tuple(notes),
        reading=tuple(reading + plan.reading),
    )
