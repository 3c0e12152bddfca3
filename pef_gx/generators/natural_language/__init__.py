"""Plain-English requests -> a test intent (CheckSpecs) or a model intent (a template and its slots).

No language model: a deterministic interpreter grounded in the project's manifest. Everything it knows
about English is in the tables below (`PHRASES`: check phrasings -> check kinds; `TEMPLATES`,
`MEASURES`, `ROLES`: model requests -> a template and the columns that fill it). Names in a request are
matched against the project's real model and column names (case, spaces, hyphens and plurals are
forgiven: "product id" is `product_id`); anything else is an error with a "did you mean" and exit 2,
never a guess dressed up as an answer.

Modules: `project` (the index of the project and name matching, the intents), `checks` (the phrase
table and test requests), `models` (the template library and model requests); this module reads a
request and decides which of the two it is.

Public API:
- `ProjectIndex.from_manifest(manifest, raw_manifest, catalog_types)`: what the interpreter may name.
- `parse_request(text, index, source=None, name=None)` -> `TestIntent` | `ModelIntent`
  (raises `NotUnderstood`, a PefGxError: exit 2).
- `render_model(intent, dbt_version)` -> (SQL text, properties YAML text) for a `ModelIntent`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pef_gx.generators.natural_language.checks import PHRASES, _match_phrase, _parse_test
from pef_gx.generators.natural_language.compose import NothingRead, compose
from pef_gx.generators.natural_language.custom import CustomTestIntent, parse_custom_test
from pef_gx.generators.natural_language.models import (
    _EXCLUDING,
    _MODEL_LEAD,
    _MODEL_WORDS,
    _TEST_WORDS,
    MEASURES,
    ROLES,
    TEMPLATE_DIR,
    TEMPLATES,
    _match_template,
    _model_intent,
    render_model,
)
from pef_gx.generators.natural_language.project import (
    EXAMPLES,
    FILLER,
    GENERATED_FOLDER,
    ModelInfo,
    ModelIntent,
    NotUnderstood,
    PlannedCheck,
    ProjectIndex,
    Reading,
    TestIntent,
    _clean,
    _split_values,
    find_column,
    model_candidates,
    refuse_unread,
    unread_words,
)
from pef_gx.generators.natural_language.templates import (
    USER_FOLDER,
    TemplateFile,
    install_templates,
    list_templates,
    user_intent,
)

__all__ = [
    "EXAMPLES",
    "GENERATED_FOLDER",
    "MEASURES",
    "PHRASES",
    "ROLES",
    "TEMPLATES",
    "TEMPLATE_DIR",
    "USER_FOLDER",
    "CustomTestIntent",
    "ModelInfo",
    "ModelIntent",
    "NotUnderstood",
    "PlannedCheck",
    "ProjectIndex",
    "Reading",
    "TemplateFile",
    "TestIntent",
    "find_column",
    "install_templates",
    "list_templates",
    "model_candidates",
    "parse_request",
    "render_model",
]


# what else a model request may say around its template without changing its meaning
MODEL_FILLER = FILLER | frozenset(
    """calculate calculates calculating compute computes computing summarize summarizes summarise
summarises count counts number total totals""".split()  # noqa: SIM905
)


def parse_request(
    text: str,
    index: ProjectIndex,
    source: str | None = None,
    name: str | None = None,
    templates: list[TemplateFile] | None = None,
) -> TestIntent | ModelIntent | CustomTestIntent:
    """Read one request. Raises NotUnderstood (exit 2) with suggestions when it cannot. `templates`: the
    project's own (generators/), tried first by the phrase each declares."""
    request = _clean(text or "")
    if not request:
        raise NotUnderstood("the request is empty", "e.g. " + ", ".join(EXAMPLES))
    custom = parse_custom_test(index, request)  # "x must keep a quality score above 95", "... build in"
    if custom is not None:
        return custom
    excluded: list[Any] = []
    cut = _EXCLUDING.search(request)
    if cut:  # "daily revenue excluding returned orders": a filter on a model request
        excluded = _split_values(
            re.sub(r"\s+(?:orders?|rows?|ones|items?|lines?|records?|sales)$", "", cut["values"])
        )
    stripped = request[: cut.start()].strip(" ,") if cut else request
    body = re.sub(
        r"\s+(?:dbt\s+)?(?:model|table|view|mart|report)$",
        "",
        _MODEL_LEAD.sub("", stripped).strip(),
        flags=re.I,
    )
    if templates:
        own = user_intent(index, request, body, templates, name)
        if own is not None:
            return own
    matched_on = body if _match_template(body) else stripped
    template_match = _match_template(matched_on)
    wants_model = (bool(_MODEL_WORDS.search(request)) and not _TEST_WORDS.search(request)) or (
        source is not None or name is not None
    )
    phrase_match = _match_phrase(request)
    if index.semantic.mentioned(body) and (wants_model or phrase_match is None):
        # a metric or measure of the project's semantic layer, named: its definition, not a template
        return compose(index, request, body, excluded, source, name)
    unread: list[str] = []
    if template_match and (wants_model or phrase_match is None):
        template, match = template_match
        # every word outside the template's match must be filler: a qualifier, ratio or filter the
        # templates do not read would otherwise be dropped and the model silently answer another question
        unread = unread_words(matched_on[: match.start()] + " " + matched_on[match.end() :], MODEL_FILLER)
        if not unread:
            try:
                intent = _model_intent(index, request, template, match, source, name, excluded)
            except NotUnderstood as template_error:  # e.g. a column of a joined model: composed instead
                try:
                    return compose(index, request, body, excluded, source, name)
                except NotUnderstood:
                    raise template_error from None
            if cut:
                intent = replace(
                    intent,
                    reading=(*intent.reading, Reading("filter", "leave out", cut.group(0).strip(" ,"))),
                )
            return intent
    if phrase_match and not wants_model and not template_match:
        try:
            return _parse_test(index, request, *phrase_match)
        except NotUnderstood as test_error:  # "number of distinct accounts per month": a model after all
            try:
                return compose(index, request, body, excluded, source, name)
            except NotUnderstood:
                raise test_error from None
    try:  # not a fixed template: composed from its parts (measure, filters, grain, window)
        return compose(index, request, body, excluded, source, name)
    except NothingRead:
        if unread:
            raise refuse_unread(request, unread) from None
        if wants_model:
            raise NotUnderstood(
                f"no model template matches '{request}'",
                "templates: customer lifetime value; daily|weekly|monthly <revenue|orders|units> [by <column>]; "
                "<measure> per <customer|product|...>; top <N> <products|customers> by <measure>; or a "
                "measure (count, total, average, min, max, first, last, share of) with filters and a grain",
            ) from None
        if phrase_match:
            return _parse_test(index, request, *phrase_match)
        raise NotUnderstood(
            f"could not read '{request}' as a check or a model request",
            "say e.g. " + ", ".join(EXAMPLES) + " (see `pef-gx ask --help`)",
        ) from None
