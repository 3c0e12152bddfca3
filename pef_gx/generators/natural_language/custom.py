"""Custom-test requests: "fct_orders must keep a quality score above 95", "sales should build in under a
minute". They become a declaration in the model's `meta.pef_gx` (pef_gx.checks.custom_tests), the source
of truth `pef-gx generate` mirrors into the suite, not a dbt test.

Every word must be accounted for: the subject must name one model, the number and its unit must be
read, and what is left over must be filler; anything else is a refusal, never a looser test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pef_gx.checks import custom_tests
from pef_gx.checks.spec import DIMENSIONS, CheckSpec
from pef_gx.generators.natural_language.project import (
    _NUM,
    ModelInfo,
    NotUnderstood,
    ProjectIndex,
    Reading,
    _number,
    _pick,
    _unknown_model,
    model_candidates,
)

_MODAL = r"(?:must|should|has to|have to|needs? to|shall|will|is to|ought to)"
_DIMENSION = r"(?P<dimension>" + "|".join(DIMENSIONS) + r"|overall)"
_SCORE = re.compile(
    r"^(?P<subject>.+?)\s+" + _MODAL + r"\s+(?:always\s+)?(?:keep|have|maintain|hold|reach|score|stay at)\s+"
    r"(?:an?\s+|its\s+|the\s+)?(?:" + _DIMENSION + r"\s+)?(?:data\s+)?quality\s+score\s+"
    r"(?:of\s+)?(?P<op>above|over|at least|of at least|no lower than|not below|>=|>|greater than|"
    r"higher than|more than|no less than)?\s*(?P<n>" + _NUM + r")(?:\s*%| percent)?"
    r"(?:\s+(?:in|for)\s+" + _DIMENSION.replace("dimension", "dimension2") + r")?$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "h": 3600}
_BUILD = re.compile(
    r"^(?P<subject>.+?)\s+" + _MODAL + r"\s+(?:always\s+)?(?:build|run|finish|complete|materiali[sz]e|load)"
    r"(?:\s+building)?\s+(?:in|within)\s+(?P<op>under|less than|at most|no more than|below)?\s*"
    r"(?P<n>" + _NUM + r"|an?|one)\s*(?P<unit>seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h)\b$",
    re.IGNORECASE,
)
_WARN = re.compile(r"\s*(?:,\s*)?\(?(?:(?:just|only)\s+)?(?:as\s+)?(?:an?\s+)?warn(?:ing)?\)?\s*$", re.I)
_FILLER = {"the", "model", "table", "dbt", "mart", "our", "my"}


@dataclass(frozen=True)
class CustomTestIntent:
    """A custom test to declare in `model`'s meta: `key` (quality_score | build_time) and its value."""

    request: str
    model: ModelInfo
    key: str
    value: Mapping[str, Any]
    specs: tuple[CheckSpec, ...]  # what generate will mirror into the suite
    reading: tuple[Reading, ...]  # which words became which part


def _model(index: ProjectIndex, subject: str) -> ModelInfo:
    words = [w for w in re.split(r"\s+", subject.strip()) if w.lower() not in _FILLER]
    if not words:
        raise NotUnderstood(
            "the request names no model", "e.g. 'fct_orders must keep a quality score above 95'"
        )
    name = " ".join(words)
    found = [m for m in model_candidates(index, name) if m.resource_type in ("model", "seed", "snapshot")]
    if not found:
        raise _unknown_model(index, name)
    return _pick(found, name)


def parse_custom_test(index: ProjectIndex, request: str) -> CustomTestIntent | None:
    """The custom test `request` asks for, or None when it is not a quality-score or build-time request.
    Raises NotUnderstood when it is one but names no model, or a number that cannot be a limit."""
    severity = "error"
    text = request
    warn = _WARN.search(text)
    if warn and warn.start() > 0:
        severity, text = "warn", text[: warn.start()].rstrip(" ,")
    score = _SCORE.match(text)
    if score:
        model = _model(index, score["subject"])
        minimum = _number(score["n"])
        if not 0 <= minimum <= 100:
            raise NotUnderstood(f"a quality score is between 0 and 100, not {score['n']}", "e.g. 95")
        dimension = (score["dimension"] or score["dimension2"] or "overall").lower()
        value: dict[str, Any] = (
            {"min": minimum} if dimension == "overall" else {"dimensions": {dimension: minimum}}
        )
        if severity == "warn":
            value["severity"] = "warn"
        reading = (
            Reading("model", model.name, score["subject"]),
            Reading("check", f"quality_score ({dimension})", "quality score"),
            Reading("minimum", f"at least {minimum:g}", f"{score['op'] or ''} {score['n']}".strip()),
        )
        return _intent(request, model, custom_tests.QUALITY_SCORE, value, reading)
    build = _BUILD.match(text)
    if build:
        model = _model(index, build["subject"])
        amount = 1.0 if build["n"].lower() in ("a", "an", "one") else float(_number(build["n"]))
        unit = build["unit"].lower().rstrip("s") or "s"
        seconds = amount * _UNIT_SECONDS.get(unit, _UNIT_SECONDS.get(unit[:3], 1))
        if seconds <= 0:
            raise NotUnderstood("a build-time limit must be above 0", "e.g. 'in under 30 seconds'")
        seconds = int(seconds) if float(seconds).is_integer() else seconds  # written as 60, not 60.0
        limit = "warn_after" if severity == "warn" else "error_after"
        reading = (
            Reading("model", model.name, build["subject"]),
            Reading("check", "build_time", "build"),
            Reading(
                "limit", f"{limit} {seconds:g}s", f"{build['op'] or ''} {build['n']} {build['unit']}".strip()
            ),
        )
        return _intent(request, model, custom_tests.BUILD_TIME, {limit: seconds}, reading)
    return None


def _intent(
    request: str, model: ModelInfo, key: str, value: dict[str, Any], reading: tuple[Reading, ...]
) -> CustomTestIntent:
    specs = custom_tests.parse_declaration(
        model.unique_id, {"pef_gx": {key: value}}, lambda _name: None, f"request '{request}'"
    )
    return CustomTestIntent(request, model, key, value, tuple(specs), reading)
