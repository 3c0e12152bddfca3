"""The framework's custom tests: a quality-score test and two performance tests, declared next to the model.

Declared in a model's properties YAML (`config: {meta: {pef_gx: {...}}}`, or `meta:`):

```yaml
quality_score: {min: 95, dimensions: {completeness: 99}, severity: error}
build_time: {warn_after: 30, error_after: 60}                       # seconds
query_time:
  - {name: lookup, sql: "select * from {{ this }} where id = 42", max_ms: 200, severity: warn, repeat: 5}
```

Each becomes a CheckSpec of its own kind (origin `meta`) and an expectation of a custom GX type
(pef_gx.validation.custom_expectations):

| kind | GX type | run by | dimension |
|---|---|---|---|
| quality_score | expect_model_quality_score_to_be_at_least | pef-gx, after the checkpoint, from the run's results | "overall" or the guarded dimension |
| build_time | expect_model_build_time_to_be_below | pef-gx, after the checkpoint, from run_results.json | performance |
| query_time | expect_query_execution_time_to_be_below | GX (a custom expectation that times the query) | performance |

None of them feeds the quality scores (`UNSCORED_KINDS`): a score test cannot vote on the score it tests,
and a slow query is no defect in the data. None has a dbt test form (see `GX_ONLY_REASONS`).
This module is the catalog's block for them (pef_gx.checks.catalog reads it); it parses and checks the
declaration (`parse_declaration`: bad input is a ConfigError naming the model and key).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pef_gx.checks.spec import DIMENSIONS, CheckSpec, Origin, OriginType, Severity
from pef_gx.errors import ConfigError, did_you_mean

QUALITY_SCORE = "quality_score"
BUILD_TIME = "build_time"
QUERY_TIME = "query_time"

GX_TYPES = {
    QUALITY_SCORE: "expect_model_quality_score_to_be_at_least",
    BUILD_TIME: "expect_model_build_time_to_be_below",
    QUERY_TIME: "expect_query_execution_time_to_be_below",
}
KIND_OF_GX_TYPE = {v: k for k, v in GX_TYPES.items()}
DEFAULT_DIMENSION = {QUALITY_SCORE: "overall", BUILD_TIME: "performance", QUERY_TIME: "performance"}
SUMMARY = {
    QUALITY_SCORE: "the model's quality score (overall or one dimension) is at least a minimum",
    BUILD_TIME: "the model builds within a time limit (dbt run_results execution_time)",
    QUERY_TIME: "a query over the model runs within a time limit (median of N runs)",
}
# Evaluated by pef-gx from the run's results after the checkpoint, not by GX against a batch.
DEFERRED_KINDS = frozenset({QUALITY_SCORE, BUILD_TIME})
# Reported with the run, but never part of a quality score.
UNSCORED_KINDS = frozenset(GX_TYPES)
GX_ONLY_REASONS = {
    QUALITY_SCORE: "a quality-score test: declared in the model's meta, evaluated by pef-gx from the "
    "checkpoint's results (dbt tests cannot read other tests' results)",
    BUILD_TIME: "a build-time limit: declared in the model's meta, evaluated by pef-gx from "
    "run_results.json (a dbt test cannot see how long its model took)",
    QUERY_TIME: "a query-time test: dbt tests are one SELECT whose rows are failures and cannot time a "
    "query portably; GX times it in the warehouse session",
}
DEFAULT_REPEAT = 5
MAX_REPEAT = 50

_META_KEYS = (QUALITY_SCORE, BUILD_TIME, QUERY_TIME)
_THIS = re.compile(r"\{\{\s*this\s*\}\}")
_Q = r"""\s*(['"])([^'"]+)\1\s*"""
_REF = re.compile(r"\{\{\s*ref\(" + _Q + r"(?:," + _Q.replace(r"\1", r"\3") + r")?\)\s*\}\}")
_SOURCE = re.compile(r"\{\{\s*source\(" + _Q + r"," + _Q.replace(r"\1", r"\3") + r"\)\s*\}\}")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,79}$")


def declaration(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """The custom-test keys of a node's `meta.pef_gx` (empty when none)."""
    own = (meta or {}).get("pef_gx")
    if not isinstance(own, Mapping):
        return {}
    return {k: own[k] for k in _META_KEYS if own.get(k) is not None}


def _bad(where: str, what: str, hint: str) -> ConfigError:
    return ConfigError(f"{where}: {what}", hint)


def _number(value: Any, where: str, key: str, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(where, f"'{key}' must be a number, not {value!r}", f"e.g. {key}: 95")
    if value < low or (high is not None and value > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise _bad(where, f"'{key}' must be {span}, not {value!r}", f"e.g. {key}: 95")
    return float(value)


def _severity(value: Any, where: str) -> Severity:
    text = str(value or "error").strip().lower()
    if text not in ("error", "warn"):
        raise _bad(where, f"severity '{value}' is not error or warn", "use severity: warn or severity: error")
    return Severity(text)


def _keys(rule: Any, allowed: set[str], where: str, example: str) -> Mapping[str, Any]:
    if not isinstance(rule, Mapping):
        raise _bad(where, f"expected a mapping, not {type(rule).__name__}", f"e.g. {example}")
    for key in rule:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed) or f"known keys: {', '.join(sorted(allowed))}"
            raise _bad(where, f"unknown key '{key}'", hint)
    return rule


def score_rules(rule: Any, where: str) -> tuple[list[tuple[str, float]], Severity]:
    """[(dimension or "overall", minimum)], severity of a `quality_score:` declaration."""
    rule = _keys(rule, {"min", "dimensions", "severity"}, where, "quality_score: {min: 95}")
    out: list[tuple[str, float]] = []
    if rule.get("min") is not None:
        out.append(("overall", _number(rule["min"], where, "min", 0, 100)))
    dims = rule.get("dimensions") or {}
    if not isinstance(dims, Mapping):
        raise _bad(
            where, "'dimensions' must map a dimension to a minimum", "e.g. dimensions: {completeness: 99}"
        )
    for name, minimum in sorted(dims.items()):
        dim = str(name).strip().lower()
        if dim not in DIMENSIONS:
            hint = did_you_mean(dim, DIMENSIONS) or f"use one of {', '.join(DIMENSIONS)}"
            raise _bad(where, f"unknown quality dimension '{name}'", hint)
        out.append((dim, _number(minimum, where, f"dimensions.{dim}", 0, 100)))
    if not out:
        raise _bad(
            where, "no minimum given", "e.g. quality_score: {min: 95} or {dimensions: {completeness: 99}}"
        )
    return out, _severity(rule.get("severity"), where)


def _schema_free(sql: str, node_id: str, ref: Callable[[str], str | None], where: str) -> str:
    """`{{ this }}` -> `{batch}`, `{{ ref('x') }}` / `{{ source('a', 'b') }}` -> `{ref:<unique_id>}`."""

    def resolved(name: str) -> str:
        unique_id = ref(name)
        if unique_id is None:
            raise _bad(where, f"the query refers to '{name}', which is not in the manifest", "fix the name")
        return "{batch}" if unique_id == node_id else "{ref:" + unique_id + "}"

    text = _THIS.sub("{batch}", sql)
    text = _REF.sub(lambda m: resolved(f"{m[2]}.{m[4]}" if m[4] else m[2]), text)
    text = _SOURCE.sub(lambda m: resolved(f"{m[2]}.{m[4]}"), text)
    if "{{" in text or "{%" in text:
        raise _bad(where, "the query uses Jinja beyond {{ this }}, ref() and source()", "write plain SQL")
    text = text.strip().rstrip(";").strip()
    if not text:
        raise _bad(where, "'sql' is empty", 'e.g. sql: "select * from {{ this }} where id = 42"')
    return text


def parse_declaration(
    node_id: str, meta: Mapping[str, Any] | None, ref: Callable[[str], str | None], label: str
) -> list[CheckSpec]:
    """The CheckSpecs a node's meta declares (sorted by check_id). `ref(name)`: a node name -> unique_id."""
    found = declaration(meta)
    specs: list[CheckSpec] = []
    if QUALITY_SCORE in found:
        where = f"{label}: meta pef_gx.quality_score"
        rules, severity = score_rules(found[QUALITY_SCORE], where)
        for dim, minimum in rules:
            specs.append(
                CheckSpec(
                    node_id=node_id,
                    kind=QUALITY_SCORE,
                    params={"dimension": dim, "min": minimum},
                    dimension=dim,
                    severity=severity,
                    origin=Origin(OriginType.META, f"{node_id}#quality_score.{dim}"),
                    description=f"{dim} quality score at least {minimum:g}",
                )
            )
    if BUILD_TIME in found:
        where = f"{label}: meta pef_gx.build_time"
        rule = _keys(found[BUILD_TIME], {"warn_after", "error_after"}, where, "build_time: {error_after: 60}")
        limits = {
            k: _number(rule[k], where, k, 0.0)
            for k in ("warn_after", "error_after")
            if rule.get(k) is not None
        }
        if not limits:
            raise _bad(where, "no limit given", "e.g. build_time: {warn_after: 30, error_after: 60}")
        if len(limits) == 2 and limits["warn_after"] > limits["error_after"]:
            raise _bad(where, "warn_after is above error_after", "warn_after must be the lower limit")
        specs.append(
            CheckSpec(
                node_id=node_id,
                kind=BUILD_TIME,
                params=limits,
                dimension=DEFAULT_DIMENSION[BUILD_TIME],
                severity=Severity.ERROR if "error_after" in limits else Severity.WARN,
                origin=Origin(OriginType.META, f"{node_id}#build_time"),
                description="build time " + ", ".join(f"{k} {v:g}s" for k, v in limits.items()),
            )
        )
    if QUERY_TIME in found:
        queries = found[QUERY_TIME]
        queries = [queries] if isinstance(queries, Mapping) else queries
        if not isinstance(queries, list):
            raise _bad(f"{label}: meta pef_gx.query_time", "expected a list of queries", "see the README")
        names: set[str] = set()
        for number, item in enumerate(queries, 1):
            where = f"{label}: meta pef_gx.query_time #{number}"
            rule = _keys(
                item,
                {"name", "sql", "max_ms", "severity", "repeat"},
                where,
                "{name: q, sql: ..., max_ms: 200}",
            )
            name = str(rule.get("name") or "").strip()
            if not _NAME.match(name):
                raise _bad(
                    where, f"'name' {name!r} is missing or not a plain name", "e.g. name: lookup_by_customer"
                )
            if name in names:
                raise _bad(where, f"two queries are named '{name}'", "give each query its own name")
            names.add(name)
            if not isinstance(rule.get("sql"), str):
                raise _bad(where, "'sql' is missing", 'e.g. sql: "select * from {{ this }} where id = 42"')
            max_ms = _number(rule.get("max_ms"), where, "max_ms", 0.0)
            repeat = rule.get("repeat", DEFAULT_REPEAT)
            repeat = int(_number(repeat, where, "repeat", 1, MAX_REPEAT))
            specs.append(
                CheckSpec(
                    node_id=node_id,
                    kind=QUERY_TIME,
                    params={
                        "name": name,
                        "query": _schema_free(rule["sql"], node_id, ref, where),
                        "max_ms": max_ms,
                        "repeat": repeat,
                    },
                    dimension=DEFAULT_DIMENSION[QUERY_TIME],
                    severity=_severity(rule.get("severity"), where),
                    origin=Origin(OriginType.META, f"{node_id}#query_time.{name}"),
                    description=f"query '{name}' within {max_ms:g} ms (median of {repeat})",
                )
            )
    return sorted(specs, key=lambda s: s.check_id)


# --- GX form (both directions) --------------------------------------------------------------------


def gx_expectation(spec: CheckSpec) -> tuple[str, dict[str, Any]]:
    p = spec.params
    if spec.kind == QUALITY_SCORE:
        return GX_TYPES[QUALITY_SCORE], {"dimension": p["dimension"], "min_value": p["min"]}
    if spec.kind == BUILD_TIME:
        limits = {f"{k}_seconds": p[k] for k in ("warn_after", "error_after") if k in p}
        return GX_TYPES[BUILD_TIME], limits
    return GX_TYPES[QUERY_TIME], {
        "query_name": p["name"],
        "query": p["query"],
        "max_ms": p["max_ms"],
        "repeat": p["repeat"],
    }


def from_gx(gx_type: str, kwargs: Mapping[str, Any]) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """(kind, columns, params) of one of the custom GX types (the reverse of gx_expectation)."""
    kind = KIND_OF_GX_TYPE[gx_type]
    if kind == QUALITY_SCORE:
        return (
            kind,
            (),
            {"dimension": str(kwargs.get("dimension") or "overall"), "min": kwargs.get("min_value")},
        )
    if kind == BUILD_TIME:
        params = {
            k: kwargs[f"{k}_seconds"]
            for k in ("warn_after", "error_after")
            if kwargs.get(f"{k}_seconds") is not None
        }
        return kind, (), params
    return (
        kind,
        (),
        {
            "name": str(kwargs.get("query_name") or ""),
            "query": str(kwargs.get("query") or ""),
            "max_ms": kwargs.get("max_ms"),
            "repeat": int(kwargs.get("repeat") or DEFAULT_REPEAT),
        },
    )


def dimension_of(kind: str, params: Mapping[str, Any]) -> str:
    if kind == QUALITY_SCORE:
        return str(params.get("dimension") or "overall")
    return DEFAULT_DIMENSION[kind]
