"""A structured plan from outside the rule-based reader (a language model's JSON), checked against the
project before anything is built from it: every model, column and value must exist, every field must be
one the readers know. A plan that fails a check is refused (NotUnderstood, exit 2), never repaired.

Test plan:  {"intent": "test", "model": "stg_orders", "columns": ["status"], "check": "accepted_values",
             "params": {"values": ["placed", "shipped"]}}
Model plan: {"intent": "model", "model": "fct_orders", "measure": {"agg": "sum", "column": "order_amount"},
             "filters": [{"column": "status", "values": ["shipped"]}], "share_of": [],
             "grain": {"period": "month", "columns": []}, "window": {"year": 2024}, "name": "shipped_revenue"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.generators.natural_language.compose import _intent, _Plan
from pef_gx.generators.natural_language.project import (
    ModelInfo,
    ModelIntent,
    NotUnderstood,
    ProjectIndex,
    Reading,
    TestIntent,
)

SCHEMA_HELP = __doc__.split("\n\n", 1)[1]
CHECKS = ("not_null", "unique", "accepted_values", "accepted_range", "relationships", "not_null_proportion",
          "match_regex", "recency")  # fmt: skip
AGGS = ("count", "distinct", "sum", "avg", "min", "max", "first", "last", "share")
PERIODS = ("day", "week", "month", "quarter", "year")


class PlanRefused(NotUnderstood):
    """The plan names something the project does not have, or is not a plan."""


def parse_plan_text(text: str) -> dict[str, Any]:
    """The JSON object in a model's answer (``` fences allowed); PlanRefused when there is none."""
    body = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", body, re.S)
    if fenced:
        body = fenced.group(1).strip()
    try:
        data = json.loads(body)
    except ValueError:
        raise PlanRefused("the language model did not return a JSON plan", "rephrase the request") from None
    if not isinstance(data, dict):
        raise PlanRefused("the language model's answer is not a JSON object", "rephrase the request")
    return data


def _model(index: ProjectIndex, name: Any) -> ModelInfo:
    if not isinstance(name, str) or name not in index.models:
        raise PlanRefused(
            f"the plan names a model the project does not have: {name!r}", "nothing was written"
        )
    return index.models[name]


def _column(model: ModelInfo, name: Any) -> str:
    if not isinstance(name, str) or name not in model.columns:
        raise PlanRefused(
            f"the plan names a column {model.name} does not have: {name!r}", "nothing was written"
        )
    return name


def _values(model: ModelInfo, column: str, values: Any) -> list[str]:
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, (str, int, float)) for v in values)
    ):
        raise PlanRefused(
            f"the plan's values for {model.name}.{column} are not a list", "nothing was written"
        )
    known = {str(v).lower(): str(v) for v in model.values.get(column, ())}
    out = []
    for value in values:
        if str(value).lower() not in known:
            raise PlanRefused(
                f"the plan filters {model.name}.{column} on {value!r}, a value it does not hold",
                "nothing was written",
            )
        out.append(known[str(value).lower()])
    return out


def plan_to_intent(
    index: ProjectIndex, request: str, plan: Mapping[str, Any], reader: str, name: str | None = None
) -> TestIntent | ModelIntent:
    """A checked plan as the same intent the rule-based reader makes (rendered and verified the same way)."""
    intent = plan.get("intent")
    if intent == "test":
        return _test_intent(index, request, plan, reader)
    if intent == "model":
        return _model_intent(index, request, plan, reader, name)
    raise PlanRefused(f"the plan's intent is {intent!r}, not 'test' or 'model'", "nothing was written")


def _test_intent(index: ProjectIndex, request: str, plan: Mapping[str, Any], reader: str) -> TestIntent:
    from pef_gx.generators.natural_language.checks import _check_types, _plan

    model = _model(index, plan.get("model"))
    check = plan.get("check")
    if check not in CHECKS:
        raise PlanRefused(
            f"the plan's check {check!r} is not one of {', '.join(CHECKS)}", "nothing was written"
        )
    columns = plan.get("columns") or []
    if not isinstance(columns, list) or len(columns) != 1:
        raise PlanRefused("a test plan names exactly one column", "nothing was written")
    column = _column(model, columns[0])
    raw = plan.get("params") or {}
    if not isinstance(raw, dict):
        raise PlanRefused("the plan's params are not an object", "nothing was written")
    params: dict[str, Any] = {}
    if check == "accepted_values":
        params["values"] = [v for v in raw.get("values") or []]
        if not params["values"]:
            raise PlanRefused("an accepted_values plan lists no values", "nothing was written")
    elif check == "accepted_range":
        for key in ("min_value", "max_value"):
            if raw.get(key) is not None:
                if not isinstance(raw[key], (int, float)):
                    raise PlanRefused(f"the plan's {key} is not a number", "nothing was written")
                params[key] = raw[key]
        if not params:
            raise PlanRefused("an accepted_range plan has no bound", "nothing was written")
    elif check == "relationships":
        parent = _model(index, raw.get("to"))
        params = {"to": parent.unique_id, "field": _column(parent, raw.get("field"))}
    elif check == "not_null_proportion":
        share = raw.get("at_least")
        if not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise PlanRefused("the plan's at_least is not a share between 0 and 1", "nothing was written")
        params["at_least"] = share
    elif check == "match_regex":
        if not isinstance(raw.get("regex"), str):
            raise PlanRefused("the plan's regex is not a string", "nothing was written")
        params["regex"] = raw["regex"]
    elif check == "recency":
        if raw.get("datepart") not in ("minute", "hour", "day", "week", "month", "year"):
            raise PlanRefused("the plan's datepart is not a time unit", "nothing was written")
        if not isinstance(raw.get("interval"), int) or raw["interval"] < 1:
            raise PlanRefused("the plan's interval is not a whole number >= 1", "nothing was written")
        params = {"datepart": raw["datepart"], "interval": raw["interval"]}
    _check_types(str(check), params, model, column)
    spec = CheckSpec(
        node_id=model.unique_id,
        kind=str(check),
        columns=(column,),
        params=params,
        dimension=catalog.dimension_for(str(check)),
        severity=Severity.ERROR,
        origin=Origin(OriginType.NATURAL_LANGUAGE, request[:200]),
        description=f"Requested ({reader}): {request[:200]}",
    )
    return TestIntent(
        request=request,
        model=model,
        checks=(_plan(index, spec),),
        notes=(f"read by {reader}; the plan was checked against the project",),
        reading=(Reading("plan", json.dumps(dict(plan), sort_keys=True)[:300], reader),),
    )


class _Window:
    """The shape compose's renderer reads a time window in (like its regex match)."""

    def __init__(self, year: int) -> None:
        self.year = year

    def __getitem__(self, key: str) -> Any:
        return str(self.year) if key == "year" else None

    def group(self, _: int = 0) -> str:
        return f"in {self.year}"


def _model_intent(
    index: ProjectIndex, request: str, plan: Mapping[str, Any], reader: str, name: str | None
) -> ModelIntent:
    from pef_gx.generators.natural_language.compose import _date_column, _is_numeric

    model = _model(index, plan.get("model"))
    if model.resource_type != "model":
        raise PlanRefused(
            f"{model.name} is a {model.resource_type}: build models on models", "nothing was written"
        )
    measure = plan.get("measure") or {}
    if not isinstance(measure, dict) or measure.get("agg") not in AGGS:
        raise PlanRefused(f"the plan's measure is not one of {', '.join(AGGS)}", "nothing was written")
    agg = str(measure["agg"])
    step = _Plan(model=model, index=index, agg=agg)
    if measure.get("column") is not None:
        step.measure = _column(model, measure["column"])
        if agg in ("sum", "avg") and not _is_numeric(model, step.measure):
            raise PlanRefused(f"{model.name}.{step.measure} is not a number: no {agg}", "nothing was written")
    elif agg not in ("count", "share"):
        raise PlanRefused(f"a {agg} needs a column", "nothing was written")
    else:
        step.entity = "rows"
    for item in plan.get("filters") or []:
        column = _column(model, (item or {}).get("column"))
        step.conditions.setdefault(column, []).extend(_values(model, column, item.get("values")))
    for item in plan.get("share_of") or []:
        column = _column(model, (item or {}).get("column"))
        step.share.setdefault(column, []).extend(_values(model, column, item.get("values")))
    if agg == "share" and not step.share:
        raise PlanRefused("a share plan says which rows it is the share of (share_of)", "nothing was written")
    grain = plan.get("grain") or {}
    period = grain.get("period") if isinstance(grain, dict) else None
    if period is not None and period not in PERIODS:
        raise PlanRefused(
            f"the plan's period {period!r} is not one of {', '.join(PERIODS)}", "nothing was written"
        )
    dims = [_column(model, c) for c in (grain.get("columns") or [])] if isinstance(grain, dict) else []
    window = None
    raw_window = plan.get("window")
    if raw_window:
        year = raw_window.get("year") if isinstance(raw_window, dict) else None
        if not isinstance(year, int) or not 1900 <= year <= 2100:
            raise PlanRefused('the plan\'s window is not {"year": <year>}', "nothing was written")
        window = _Window(year)
    date_col = _date_column(model) if (period or window) else None
    if (period or window) and date_col is None:
        raise PlanRefused(
            f"{model.name} has no single date column for the plan's period", "nothing was written"
        )
    out_name = name or plan.get("name")
    if not isinstance(out_name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]{0,59}", out_name):
        raise PlanRefused(f"the plan's model name {out_name!r} is not a valid name", "pass --name")
    intent = _intent(index, request, out_name, step, None if agg == "count" else agg, period, date_col, window,
                     dims, list(dims), [], out_name, [Reading("plan", reader, reader)],
                     [f"read by {reader}; the plan was checked against the project"])  # fmt: skip
    return intent
