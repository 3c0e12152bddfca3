"""Model requests: a small template library (nl_templates/) whose slots (source model, key, amount, date,
category columns) are filled from the manifest by column-name roles."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.checks.spec import OriginType
from pef_gx.checks.sql_template import quote_literal
from pef_gx.generators.natural_language.project import (
    GENERATED_FOLDER,
    ModelInfo,
    ModelIntent,
    NotUnderstood,
    ProjectIndex,
    Reading,
    _comment_safe,
    _ident,
    _key,
    _pick,
    _test_name,
    _unknown_model,
    _variants,
    find_column,
    model_candidates,
)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "nl_templates"


# Column roles: a role is found by the first pattern any column matches (patterns in order of preference).
ROLES: dict[str, tuple[str, ...]] = {
    "customer": (r"^customer_id$", r"^(?:customer|client|user|buyer|account)_?(?:id|key|sk)$"),
    "order": (r"^order_id$", r"^order_?(?:key|number|no|sk)$"),
    "product": (r"^product_id$", r"^(?:product|item|sku)_?(?:id|key|sk)$", r"^sku$"),
    "amount": (r"^order_amount$", r"^amount$", r"^(?:revenue|sales|total_amount|sales_amount|net_amount|gross_amount|line_amount|line_total|total_price|order_total)$", r"_amount$"),
    "quantity": (r"^quantity$", r"^(?:qty|units|quantity_ordered)$"),
    "price": (r"^unit_price$", r"^price$", r"_price$"),
    "date": (r"^order_date$", r"^(?:ordered_at|order_ts|order_timestamp|sale_date|transaction_date|purchase_date|date)$", r"_date$", r"^created_at$"),
    "category": (r"^category$", r"^product_category$", r"_category$"),
    "country": (r"^country_code$", r"^country$", r"^country_name$"),
}  # fmt: skip


# What a measure word means: output column, aggregate, the role it needs (None: count rows).
MEASURES: dict[str, tuple[str, str, str | None]] = {
    "revenue": ("revenue", "sum", "amount"),
    "sales": ("sales", "sum", "amount"),
    "turnover": ("revenue", "sum", "amount"),
    "spend": ("spend", "sum", "amount"),
    "amount": ("amount", "sum", "amount"),
    "orders": ("orders", "count_distinct", "order"),
    "order count": ("orders", "count_distinct", "order"),
    "units": ("units", "sum", "quantity"),
    "items": ("units", "sum", "quantity"),
    "quantity": ("units", "sum", "quantity"),
    "customers": ("customers", "count_distinct", "customer"),
}


PERIODS = {"daily": "day", "day": "day", "weekly": "week", "week": "week", "monthly": "month",
           "month": "month", "quarterly": "quarter", "quarter": "quarter", "yearly": "year",
           "annual": "year", "year": "year"}  # fmt: skip


_MEASURE = r"(?P<measure>" + "|".join(sorted(MEASURES, key=len, reverse=True)) + r")"


_PERIOD_WORD = r"(?P<period>daily|weekly|monthly|quarterly|yearly|annual)"


_PER = r"(?:per|by|for each|for every|of each|each|grouped by|split by|broken down by)"


@dataclass(frozen=True)
class Template:
    name: str  # nl_templates/<name>.sql.j2
    patterns: tuple[str, ...]


TEMPLATES: tuple[Template, ...] = (
    Template("customer_lifetime_value", (r"\b(?:customer(?:s'?)?\s+)?life\s*-?\s*time\s+value\b", r"\b(?:clv|ltv|cltv)\b", r"\btotal spent per customer\b")),
    Template("top_n", (r"\b(?:top|best|best-selling|highest)\s+(?P<n>\d+\s+)?(?P<entity>[a-z_ ]+?)\s+(?:by|in terms of|ranked by)\s+" + _MEASURE + r"\b",)),
    Template("period_summary", (
        r"\b" + _PERIOD_WORD + r"\s+" + _MEASURE + r"(?:\s+" + _PER + r"\s+(?P<dim>[a-z_ ]+?))?$",
        r"\b" + _MEASURE + r"\s+(?:per|by|each)\s+(?P<period>day|week|month|quarter|year)(?:\s+(?:and|by|per)\s+(?P<dim>[a-z_ ]+?))?$",
    )),
    Template("per_entity", (r"\b" + _MEASURE + r"\s+" + _PER + r"\s+(?P<entity>[a-z_ ]+?)$",)),
)  # fmt: skip


_MODEL_LEAD = re.compile(
    r"^(?:(?:please|can you|could you|i want|i need|we need|give me|show me|let's|create|build|make|"
    r"write|generate|add|new|a|an|the|model|table|view|mart|report|dbt model|that|which|for|of|with|"
    r"calculates?|computes?|calculating|computing|shows?|showing|gives?|lists?|listing|counts?|"
    r"summari[sz]es?|the|my|our|to|get)\s+)+",
    re.IGNORECASE,
)


_MODEL_WORDS = re.compile(
    r"^(?:please\s+)?(?:create|build|generate|write|make(?!\s+sure)|give me|show me|i need|i want|we need)\b"
    r"|\b(?:a|an|new)\s+(?:dbt\s+)?(?:model|mart|report|view)\b",
    re.I,
)


_TEST_WORDS = re.compile(r"\b(?:tests?|checks?|assert|make sure|ensure|verify|validate|constraint)\b", re.I)


def _role_column(model: ModelInfo, role: str) -> str | None:
    for pattern in ROLES[role]:
        for col in model.columns:
            if re.search(pattern, col.lower()):
                return col
    return None


def _entity_role(index: ProjectIndex, word: str) -> tuple[str | None, str]:
    """An entity word ('customer', 'product category', 'country') -> (role or None, column words)."""
    key = _key(word)
    for variant in _variants(key):
        if variant in ROLES:
            return variant, variant
    return None, word


def _entity_column(model: ModelInfo, role: str | None, words: str) -> str | None:
    if role:
        return _role_column(model, role)
    direct = find_column(model, words)
    if direct:
        return direct
    for suffix in ("_id", "_code", "_name", "_key"):
        found = find_column(model, _key(words) + suffix)
        if found:
            return found
    return None


def _score_source(model: ModelInfo, amount_exact: bool, grain_key: str | None) -> tuple[Any, ...]:
    name = model.name.lower()
    score = 0
    if name.startswith(("fct_", "fact_")):
        score += 4
    if "/marts/" in f"/{model.path}" or name.startswith(("fct_", "dim_")):
        score += 2
    if name.startswith(("stg_", "raw_", "base_")):
        score -= 2
    if amount_exact:
        score += 1
    if grain_key and grain_key in model.unique_columns:
        score += 3
    return (-score, model.name)


def _choose_source(
    index: ProjectIndex,
    needs: Mapping[str, tuple[str | None, str]],
    source: str | None,
    request: str,
    output: str,
) -> tuple[ModelInfo, dict[str, str], list[str]]:
    """The model that has a column for every need (need -> (role, words)), and those columns."""
    pool = [
        m
        for m in index.models.values()
        if m.resource_type == "model" and m.name != output and GENERATED_FOLDER not in Path(m.path).parts[:-1]
    ]  # fmt: skip  (models ask generated are aggregates: not sources for more aggregates)
    if source:
        picked = model_candidates(index, source)
        if not picked:
            raise _unknown_model(index, source)
        pool = [_pick(picked, source)]
    fits: list[tuple[ModelInfo, dict[str, str]]] = []
    misses: dict[str, list[str]] = {}
    for model in pool:
        found: dict[str, str] = {}
        for need, (role, words) in needs.items():
            col = _entity_column(model, role, words)
            if col is None and need == "amount":
                price, qty = _role_column(model, "price"), _role_column(model, "quantity")
                col = f"{qty} * {price}" if price and qty else None
            if col is None:
                misses.setdefault(model.name, []).append(need)
                break
            found[need] = col
        else:
            fits.append((model, found))
    if not fits:
        wanted = ", ".join(f"{need} ({role or words})" for need, (role, words) in needs.items())
        if source:
            raise NotUnderstood(
                f"{pool[0].name} has no column for {', '.join(misses.get(pool[0].name, []))} (needs: {wanted})",
                "name another --source model, or document its columns",
            )
        raise NotUnderstood(
            f"no model in {index.project_name} has columns for all of: {wanted}",
            "document the columns of the model to use in its properties YAML, or pass --source",
        )
    ranked = sorted(
        fits,
        key=lambda f: _score_source(f[0], "*" not in f[1].get("amount", "*"), f[1].get("grain_key")),
    )
    model, columns = ranked[0]
    notes = [f"source model: {model.name}" + (
        f" (also possible: {', '.join(m.name for m, _ in ranked[1:4])}; pass --source to choose)" if len(ranked) > 1 else "")]  # fmt: skip
    return model, columns, notes


def _slug(*parts: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", "_".join(parts).lower())).strip("_")


def _match_template(text: str) -> tuple[Template, re.Match[str]] | None:
    for template in TEMPLATES:
        for pattern in template.patterns:
            match = re.search(pattern, text, flags=re.IGNORECASE)
            if match:
                return template, match
    return None


def _measure(word: str) -> tuple[str, str, str | None]:
    return MEASURES[word.lower()]


def _model_intent(
    index: ProjectIndex,
    text: str,
    template: Template,
    match: re.Match[str],
    source: str | None,
    name: str | None,
    excluded: Sequence[Any] = (),
) -> ModelIntent:
    groups = {k: (v.strip() if isinstance(v, str) else v) for k, v in match.groupdict().items()}
    needs: dict[str, tuple[str | None, str]] = {}
    slots: dict[str, Any] = {}
    columns: list[tuple[str, str]] = []
    if template.name == "customer_lifetime_value":
        default = "customer_lifetime_value"
        needs = {
            "grain_key": ("customer", "customer"),
            "amount": ("amount", "amount"),
            "date": ("date", "date"),
        }
    elif template.name == "top_n":
        entity_role, entity_words = _entity_role(index, groups["entity"])
        alias, agg, role = _measure(groups["measure"])
        default = _slug("top", groups.get("n") or "", groups["entity"], "by", alias)
        needs = {"grain_key": (entity_role, entity_words)}
        if role:
            needs["measure"] = (role, role)
        slots.update(measure_alias=alias, agg=agg, limit=int(groups["n"]) if groups.get("n") else 10)
    elif template.name == "period_summary":
        period = PERIODS[groups["period"].lower()]
        alias, agg, role = _measure(groups["measure"])
        dim = groups.get("dim")
        default = _slug(
            groups["period"]
            if groups["period"].lower() in ("daily", "weekly", "monthly", "quarterly", "yearly", "annual")
            else f"{period}ly",
            alias,
            *(("by", dim) if dim else ()),
        )
        needs = {"date": ("date", "date")}
        if role:
            needs["measure"] = (role, role)
        if dim:
            needs["dim"] = _entity_role(index, dim)
        slots.update(period=period, measure_alias=alias, agg=agg)
    else:  # per_entity
        alias, agg, role = _measure(groups["measure"])
        entity_role, entity_words = _entity_role(index, groups["entity"])
        default = _slug(alias, "per", groups["entity"])
        needs = {"grain_key": (entity_role, entity_words)}
        if role and role != entity_role:
            needs["measure"] = (role, role)
        slots.update(measure_alias=alias, agg=agg)
    if excluded:
        default = _slug(default, "excluding", *(str(v) for v in excluded))
    output = name or default
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", output):
        raise NotUnderstood(f"'{output}' is not a valid model name", "use lower-case letters, digits and _")
    model, found, notes = _choose_source(index, needs, source, text, output)
    if not re.fullmatch(r"[A-Za-z0-9_]+", model.name):  # it goes inside ref('...') in a Jinja template
        raise NotUnderstood(
            f"cannot write ref() to a model named {model.name!r}", "pass --source <another model>"
        )
    slots["filters"], described = _filters(index, model, excluded)
    if described:
        notes.append("left out: " + "; ".join(described))
    if template.name == "customer_lifetime_value":
        order_key = _role_column(model, "order")
        slots.update(order_key=order_key)
    if template.name in ("top_n", "per_entity", "period_summary") and "measure" not in found:
        slots["measure"] = None  # count rows
    order_key = _role_column(model, "order")
    slots.setdefault("order_key", order_key)
    slots.update({k: v for k, v in found.items()})
    grain: tuple[str, ...]
    if template.name == "customer_lifetime_value":
        grain = (_alias(found["grain_key"]),)
        columns = [
            (grain[0], "Customer key (grain: one row per customer)."),
            (
                "total_orders",
                f"Number of orders ({'distinct ' + order_key if order_key else 'rows'} in {model.name}).",
            ),
            ("lifetime_value", f"Sum of {found['amount']} over all the customer's rows in {model.name}."),
            ("first_order_date", f"Earliest {found['date']}."),
            ("last_order_date", f"Latest {found['date']}."),
            ("days_since_last_order", "Days from last_order_date to the current date."),
        ]
    elif template.name in ("top_n", "per_entity"):
        grain = (_alias(found["grain_key"]),)
        if template.name == "per_entity":  # rows without a key are a group of their own, as in GROUP BY
            slots["nullable"] = list(grain)
        columns = [(grain[0], f"{found['grain_key']} of {model.name} (grain: one row per value).")]
        columns.append((slots["measure_alias"], _measure_description(slots, model)))
        if template.name == "top_n":
            columns.append(
                (f"{slots['measure_alias']}_rank", f"Rank by {slots['measure_alias']}, 1 = highest.")
            )
        elif order_key and slots["measure_alias"] != "orders":
            columns.append(("orders", f"Distinct {order_key}."))
    else:
        period = slots["period"]
        grain = (f"date_{period}",) + ((_alias(found["dim"]),) if "dim" in found else ())
        columns = [(grain[0], f"The {period} ({found['date']} truncated to the {period}; its first day).")]
        if "dim" in found:  # rows without a value are a group of their own (NULL), as in GROUP BY
            columns.append((grain[1], f"{found['dim']} of {model.name} (NULL: rows without one)."))
            slots["nullable"] = [grain[1]]
        columns.append((slots["measure_alias"], _measure_description(slots, model)))
        if order_key and slots["measure_alias"] != "orders":
            columns.append(("orders", f"Distinct {order_key}."))
    if len(grain) > 1:
        slots["unique_combination_test"] = composite_grain_test(index)
    slots.update(
        source_ref="{{ ref('" + model.name + "') }}",
        grain=list(grain),
        request=_comment_safe(text),
        ident=_ident,
    )
    description = (
        f"Generated by `pef-gx ask` from the request: {_comment_safe(text)}. Source: {model.name}."
        + (f" Leaves out rows where {'; '.join(described)}." if described else "")
    )
    reading = [Reading("template", template.name, match.group(0).strip())]
    if groups.get("measure"):
        measure = slots.get("measure") or "rows"
        reading.append(
            Reading(
                "measure", f"{slots.get('agg')}({measure}) as {slots['measure_alias']}", groups["measure"]
            )
        )
    for part in ("period", "entity", "dim"):
        if groups.get(part):
            reading.append(Reading("grain", ", ".join(grain), groups[part]))
    if groups.get("n"):
        reading.append(Reading("limit", str(slots.get("limit")), groups["n"]))
    return ModelIntent(
        reading=tuple(reading),
        request=text,
        template=template.name,
        name=output,
        source=model,
        slots=slots,
        grain=grain,
        columns=tuple(columns),
        description=description,
        notes=tuple(notes),
    )


_EXCLUDING = re.compile(
    r"[\s,]+(?:excluding|except(?:\s+for)?|without(?:\s+the)?|not counting|ignoring|leaving out|but not)\s+(?P<values>.+)$",
    re.IGNORECASE,
)


def _filters(index: ProjectIndex, model: ModelInfo, excluded: Sequence[Any]) -> tuple[list[str], list[str]]:
    """SQL conditions that leave out the rows with the excluded values, found in the project's
    accepted_values tests on a column the source model has; NotUnderstood for a value nobody lists."""
    known: dict[str, set[str]] = {}  # column of the source model -> values some accepted_values test lists
    for spec in index.existing:
        if spec.kind == "accepted_values" and spec.column:
            col = find_column(model, spec.column) if spec.node_id != model.unique_id else spec.column
            if col:
                known.setdefault(col, set()).update(str(v) for v in spec.params.get("values") or [])
    by_column: dict[str, list[str]] = {}
    for value in excluded:
        word = str(value)
        hits = sorted(c for c, values in known.items() if word.lower() in {v.lower() for v in values})
        if not hits:
            listed = "; ".join(f"{c}: {', '.join(sorted(v))}" for c, v in sorted(known.items()))
            raise NotUnderstood(
                f"'{word}' is not a value any accepted_values test lists for a column of {model.name}",
                f"known values: {listed}" if listed else "add an accepted_values test to the column first",
            )
        exact = next(v for v in known[hits[0]] if v.lower() == word.lower())
        if any(mark in exact for mark in ("{", "}", "%", "#")):
            raise NotUnderstood(
                f"the value {exact!r} cannot be written into a dbt model", "use a plain value"
            )
        by_column.setdefault(hits[0], []).append(exact)
    filters, described = [], []
    for col, values in sorted(by_column.items()):
        listed = ", ".join(quote_literal(v) for v in values)
        filters.append(f"({_ident(col)} is null or {_ident(col)} not in ({listed}))")
        described.append(f"{col} is {' or '.join(values)}")
    return filters, described


def _alias(column_expr: str) -> str:
    return column_expr if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column_expr) else "value"


def _measure_description(slots: Mapping[str, Any], model: ModelInfo) -> str:
    if slots.get("measure") is None:
        return f"Number of rows of {model.name}."
    verb = "Sum" if slots["agg"] == "sum" else "Number of distinct"
    return f"{verb} of {slots['measure']} in {model.name}."


def render_model(intent: ModelIntent, dbt_version: str, user_dir: Path | None = None) -> tuple[str, str]:
    """(model SQL, properties YAML) for a model request; templates from `user_dir` (the project's
    generators/ folder) first, then the package's."""
    import jinja2
    import yaml

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            [str(d) for d in (user_dir, TEMPLATE_DIR) if d is not None and Path(d).is_dir()]
        ),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    sql = env.get_template(f"{intent.template}.sql.j2").render(**intent.slots)
    tests_key = "data_tests"
    column_entries: list[dict[str, Any]] = []
    for column, description in intent.columns:
        entry: dict[str, Any] = {"name": column, "description": description}
        if column in intent.grain:
            tests = [] if column in intent.slots.get("nullable", ()) else ["not_null"]
            tests += ["unique"] if len(intent.grain) == 1 else []
            if tests:
                entry[tests_key] = tests
        column_entries.append(entry)
    model_entry: dict[str, Any] = {
        "name": intent.name,
        "description": intent.description,
        "config": {"meta": {"pef_gx": {"owned": True, "origin": OriginType.NATURAL_LANGUAGE.value,
                                       "template": intent.template, "source": intent.source.name}}},
    }  # fmt: skip
    if len(intent.grain) > 1:
        arguments = {"combination_of_columns": list(intent.grain)}
        model_entry[tests_key] = [{intent.slots["unique_combination_test"]: _args(arguments, dbt_version)}]
    model_entry["columns"] = column_entries
    text = yaml.safe_dump(
        {"version": 2, "models": [model_entry]}, sort_keys=False, default_flow_style=False, width=110
    )
    return sql, text


def _args(arguments: Mapping[str, Any], dbt_version: str) -> dict[str, Any]:
    try:
        major, minor = (int(p) for p in dbt_version.split(".")[:2])
    except ValueError:
        major, minor = 1, 10
    return {"arguments": dict(arguments)} if (major, minor) >= (1, 10) else dict(arguments)


def composite_grain_test(index: ProjectIndex) -> str:
    """The generic test that checks a composite grain (for models grouped by two columns)."""
    return _test_name(index, "unique_combination")
