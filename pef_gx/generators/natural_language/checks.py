"""Test requests: the phrase table (how a check is said -> its kind and parameters) and the reader that
turns "make sure product_id in sales is never null" into planned dbt tests (plus proposed relationships)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.generators.natural_language.project import (
    _NUM,
    EXAMPLES,
    ModelInfo,
    NotUnderstood,
    PlannedCheck,
    ProjectIndex,
    Reading,
    TestIntent,
    _did_you_mean,
    _key,
    _number,
    _only_owner,
    _pick,
    _split_values,
    _squash,
    _stem,
    _test_name,
    _unknown_column,
    _unknown_model,
    _variants,
    find_column,
    model_candidates,
    refuse_unread,
    unread_words,
)

_TO_BE = r"(?:(?:is|are|be|should|must|has to|have to|needs? to|shall|will|always|can|may|only|to)\s+)*"


_NEVER = r"(?:(?:is|are|should|must|can|may|will|shall)\s+)?(?:never|not|cannot|can't|can not|mustn't|shouldn't|won't|isn't|aren't)\s+(?:be\s+|go\s+)?"


_UNITS = r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"


_FRESH_VERB = r"(?P<verb>loaded|updated|refreshed|fresh|arrived?|ingested|synced|created|inserted|recent)"


@dataclass(frozen=True)
class Phrase:
    kind: str
    pattern: str
    params: Mapping[str, Any] = field(default_factory=dict)  # fixed params (e.g. min_value 0)

    def search(self, text: str) -> re.Match[str] | None:
        return re.search(self.pattern, text, flags=re.IGNORECASE)


_ROWS = r"\s+(?:rows?|records?|lines?|entries)\b"
_HAVE = r"(?<!\w)(?:(?:should|must|will|shall|always)\s+)?(?:has|have|contains?|holds?|has to have|needs? to have|with)\s+"
_PCT = r"(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent|per cent)"
_MISSING = r"(?:missing|null|nulls|empty|blank|unknown|not (?:be )?(?:filled|set|known))"
_MUST = r"(?:(?:is|are|must|should|has to|have to|needs? to|shall|will|always)\s+)+"
PHRASES: tuple[Phrase, ...] = (
    # share of missing values (column level): "at most 5% of emails may be missing"
    Phrase("not_null_proportion", r"(?<!\w)(?:at most|no more than|not more than|up to|less than|under|max(?:imum)?(?: of)?)\s+" + _PCT + r"\s+of\s+(?:the\s+)?(?P<subject>.+?)\s+(?:(?:may|can|could|are allowed to|is allowed to|should|must|will)\s+)?(?:be\s+)?" + _MISSING + r"$"),
    Phrase("not_null_proportion", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:missing|null|empty|blank)\s+(?:in|for)\s+(?:at most|no more than|up to|less than)\s+" + _PCT + r"(?:\s+of\s+(?:the\s+)?(?:rows|records|values|cases))?$"),
    Phrase("not_null_proportion", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:at least|no less than|not less than|min(?:imum)?(?: of)?)\s+(?P<filled>\d+(?:\.\d+)?)\s*(?:%|percent|per cent)\s+(?:filled(?: in)?|populated|complete|non-?null|present|not null|known)$"),
    # primary key: not null and unique
    Phrase("primary_key", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:the|a|its|their)\s+primary\s+key\b"),
    # patterns
    Phrase("match_regex", r"(?<!\w)" + _MUST + r"(?:be\s+)?(?:an?\s+)?(?:valid\s+|well-?formed\s+|proper\s+|correct\s+)?(?P<pattern>e-?mail(?:\s+address(?:es)?)?|e-?mails|uuids?|guids?)(?:\s+(?:format|pattern))?$"),
    Phrase("match_regex", r"(?<!\w)(?:(?:must|should|always)\s+)?(?:looks?|be formatted|is formatted|are formatted)\s+(?:like|as)\s+(?:an?\s+)?(?:valid\s+)?(?P<pattern>e-?mail(?:\s+address(?:es)?)?|e-?mails|uuids?|guids?)$"),
    Phrase("match_regex", r"(?<!\w)(?:(?:must|should|always)\s+)?match(?:es)?\s+(?:the|an?)\s+(?P<pattern>e-?mail|uuid|guid)\s+(?:format|pattern)$"),
    # dates not in the future
    Phrase("not_in_future", r"(?<!\w)" + _NEVER + r"(?:be\s+)?(?:in the future|a future date|after today|later than today|later than now|after now)$"),
    Phrase("not_in_future", r"(?<!\w)" + _MUST + r"(?:be\s+)?(?:in the past|today or earlier|today or before|on or before today|not in the future|before now)$"),
    # row counts (model level)
    Phrase("row_count_between", _HAVE + r"(?:between\s+)?(?P<min>\d+)\s+(?:and|to|-)\s+(?P<max>\d+)" + _ROWS),
    Phrase("row_count_between", _HAVE + r"(?:at least|a minimum of|no fewer than|not less than|min)\s+(?P<min>\d+)" + _ROWS),
    Phrase("row_count_between", _HAVE + r"(?:more than|over)\s+(?P<over>\d+)" + _ROWS),
    Phrase("row_count_between", _HAVE + r"(?:at most|a maximum of|no more than|not more than|up to|max)\s+(?P<max>\d+)" + _ROWS),
    Phrase("row_count_between", _HAVE + r"(?:fewer than|less than|under)\s+(?P<under>\d+)" + _ROWS),
    # relationships: the parent is named in the phrase
    Phrase("relationships", r"(?<!\w)" + _TO_BE + r"(?:always\s+)?(?:exists?|be found|present|appears?|be listed)\s+(?:in|as an? \w+ in)\s+(?P<parent>[\w.\- ]+?)(?:\s+(?:table|model))?$"),
    Phrase("relationships", r"(?<!\w)" + _TO_BE + r"(?:references?|refers? to|points? to|matches? (?:a|an|the)? ?\w* ?in|(?:is|be) an? foreign key (?:to|into|of)|foreign key (?:to|into|of)|links? to|joins? to)\s+(?P<parent>[\w.\- ]+?)(?:\s+(?:table|model))?$"),
    # recency (model level: the column comes from the verb)
    Phrase("recency", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?" + _FRESH_VERB + r"\s+(?:with)?in\s+(?:the\s+)?(?:last\s+|past\s+)?(?P<n>\d+)\s+" + _UNITS + r"\b"),
    Phrase("recency", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:no|not)\s+older\s+than\s+(?P<n>\d+)\s+" + _UNITS + r"\b"),
    Phrase("recency", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:at most|less than)\s+(?P<n>\d+)\s+" + _UNITS + r"\s+old\b"),
    # not null
    Phrase("not_null", r"(?<!\w)" + _TO_BE + r"(?:never|not|no)\s+(?:be\s+)?(?:nulls|null|empty|blanks|blank|missing|none|nil)(?:\s+values?)?\b"),
    Phrase("not_null", r"(?<!\w)" + _TO_BE + r"(?:always\s+)?(?:be\s+)?(?:filled(?: in)?|populated|present|set|provided|required|mandatory|non-?null|not-null)\b"),
    Phrase("not_null", r"\b(?:never|doesn't|does not|don't|do not|must not|should not|cannot|can't|may not)\s+(?:contains?|has|have|includes?)\s+(?:any\s+)?(?:null values|missing values|empty values|nulls|null|blanks|empties)\b"),
    Phrase("not_null", r"\b(?:has|have|contains?|with)\s+no\s+(?:null values|empty values|missing values|nulls|null|blanks|gaps)\b"),
    Phrase("not_null", r"\b(?:no|without)\s+(?:null values|missing values|empty values|nulls|null)\b"),
    Phrase("not_null", r"\bnot\s+(?:be\s+)?null\b"),
    Phrase("not_null", r"(?<!\w)(?:cannot|can't|can not|mustn't|shouldn't|won't|may not|must not|should not|will not|shall not)\s+(?:ever\s+)?be\s+(?:nulls?|empty|blank|missing|none)\b"),
    # unique
    Phrase("unique", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:unique|distinct|a unique key)\b"),
    Phrase("unique", r"\b(?:has|have|contains?|with)?\s*no\s+(?:duplicates?|duplicated values|repeated values|repeats)\b"),
    Phrase("unique", r"(?<!\w)" + _TO_BE + r"(?:never|not)\s+(?:be\s+)?(?:duplicated|repeated)\b"),
    # accepted values: the values follow the phrase
    Phrase("accepted_values", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:one of|any of|either|among|in the list|in the set|in the list of|limited to|restricted to|in \(|in \[)\s*[:(\[]?\s*(?P<values>[^\s].*?)[)\]]?\s*$"),
    Phrase("accepted_values", r"^(?:the\s+)?(?:only\s+)?(?:allowed|accepted|valid|possible|permitted) values\s+(?:for|of|in)\s+(?P<subject>.+?)\s+(?:are\s*:?|:)\s*(?P<values>.+)$"),
    Phrase("accepted_values", r"\b(?:allowed|accepted|valid|possible|permitted) values\s+(?:are\s*:?|:)\s*(?P<values>.+)$"),
    # ranges
    Phrase("accepted_range", r"(?<!\w)" + _NEVER + r"(?:negative|below zero|below 0|less than zero|less than 0|< ?0)\b", {"min_value": 0}),
    Phrase("accepted_range", r"(?<!\w)" + _NEVER + r"(?:less than|below|under|smaller than|lower than|<)\s+(?P<min>" + _NUM + r")\b"),
    Phrase("accepted_range", r"(?<!\w)" + _NEVER + r"(?:more than|greater than|above|over|bigger than|higher than|exceed|exceeds|>)\s+(?P<max>" + _NUM + r")\b"),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:between|from)\s+(?P<min>" + _NUM + r")\s+(?:and|to|-)\s+(?P<max>" + _NUM + r")(?:\s+inclusive)?\b"),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:positive|greater than zero|greater than 0|above zero|above 0|more than 0|more than zero|> ?0|strictly positive)\b", {"min_value": 0, "inclusive": False}),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:non-?negative|not negative|never negative|zero or more|0 or more|>= ?0)\b", {"min_value": 0}),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:at least|no less than|not less than|minimum(?: of)?|min|greater than or equal to|>=)\s+(?P<min>" + _NUM + r")\b"),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:at most|no more than|not more than|maximum(?: of)?|max|less than or equal to|<=|up to)\s+(?P<max>" + _NUM + r")\b"),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:greater than|more than|above|over|>)\s+(?P<min>" + _NUM + r")\b", {"inclusive": False}),
    Phrase("accepted_range", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:less than|below|under|<)\s+(?P<max>" + _NUM + r")\b", {"inclusive": False}),
    # "can only be a, b or c" (after the ranges: "can only be positive" is a range)
    Phrase("accepted_values", r"(?<!\w)(?:can|may|must|should|will|is|are|shall)\s+only\s+(?:ever\s+)?(?:be|contain|take|hold|have)\s+(?:the\s+)?(?:values?\s+)?(?P<values>[^\s].*?)\s*$"),
    Phrase("accepted_values", r"(?<!\w)(?:is|are|(?:must|should|can|shall|will|has to|have to|needs? to)\s+(?:only\s+)?be)\s+(?:either\s+)?(?P<values>[\w'\-]+(?:\s*,\s*[\w'\-]+)*\s*,?\s+or\s+[\w'\-]+)$"),
)  # fmt: skip


REGEXES = {
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}


# values that are not values: "can only be positive", "must be null or positive"
_NOT_VALUES = re.compile(
    r"\b(?:positive|negative|null|nulls|empty|blank|missing|unique|distinct|zero|non-?negative|between|"
    r"greater|less|more|fewer|above|below|at least|at most|when|where|if|unless|except|for)\b",
    re.I,
)


# Words around the names that carry no meaning for the interpreter.
_LEAD = re.compile(
    r"^(?:(?:please|pls|can you|could you|i want to|i want|i need to|i need|we need to|we need|let's|lets|"
    r"make sure|ensure|ensure that|assert|assert that|check|check that|verify|verify that|validate|"
    r"validate that|test|test that|add|create|write|a|an|the|that|there is|there are|"
    r"(?:a|an)?\s*(?:data\s+)?(?:test|check)s?\s+(?:that|for|to make sure|to ensure|to check)?)\s+)+",
    re.IGNORECASE,
)


_NOISE = {"the", "my", "our", "a", "an", "its", "their", "column", "columns", "field", "fields",
          "table", "tables", "model", "models", "value", "values", "every", "each", "all", "any",
          "attribute", "dataset", "that", "of", "in", "on", "from", "for", "'s"}  # fmt: skip


_SEVERITY_WARN = re.compile(r"\b(?:just\s+)?warn(?:ing)?\b|\bas a warning\b|\bsoft(?:ly)?\b", re.IGNORECASE)


def _subject_words(text: str) -> str:
    text = _LEAD.sub("", text.strip())
    return re.sub(r"[\"`]|'(?!s\b)", " ", text).strip(" ,:")


def _locate(index: ProjectIndex, subject: str) -> tuple[str | None, str | None]:
    """(model words, column words) from the subject of a request; None when not said."""
    subject = re.sub(r"\s+", " ", subject).strip(" ,")
    dotted = re.fullmatch(
        r"(?:the\s+)?([\w\-]+(?:\.[\w\-]+)?)\.([\w\-]+)(?:\s+(?:column|field))?", subject, re.I
    )
    if dotted:
        return dotted[1], dotted[2]
    words = [w for w in re.split(r"\s+", subject) if w]
    # "<column> (column) in|of|on|from (the) <model> (table)"
    for i, word in enumerate(words):
        if word.lower() in ("in", "of", "on", "from", "for", "within", "inside") and 0 < i < len(words) - 1:
            col = _strip_noise(words[:i])
            model = _strip_noise(words[i + 1 :])
            if col and model:
                return model, col
    # "<model>'s <column>" / "<model> table's <column>"
    possessive = re.fullmatch(r"(.+?)(?:'s|')\s+(.+)", subject)
    if possessive:
        return _strip_noise(possessive[1].split()), _strip_noise(possessive[2].split())
    # "<model> table <column> (column)" / "the <column> column of <model>" handled above
    table = re.fullmatch(r"(.+?)\s+(?:table|model)\s+(.+?)", subject, re.I)
    if table:
        return _strip_noise(table[1].split()), _strip_noise(table[2].split())
    rest = _strip_noise(words)
    if not rest:
        return None, None
    # one name: a model when it is one, else a column; "<model> <column>" when the first word is a model
    if model_candidates(index, rest):
        return rest, None
    parts = rest.split(" ")
    for cut in range(1, len(parts)):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        if model_candidates(index, head):
            return head, tail
    return None, rest


def _strip_noise(words: Sequence[str]) -> str:
    kept = [w for w in words if w.lower().strip(",") not in _NOISE]
    return " ".join(kept).strip(" ,")  # inner commas stay: they separate column names


_FRESH_COLUMNS = {
    "loaded": r"(?:^|_)(?:loaded|load|ingested|synced|etl)(?:_at|_time|_ts|_timestamp|_date)?$",
    "updated": r"(?:^|_)(?:updated|modified|changed)(?:_at|_time|_ts|_timestamp|_date)?$",
    "created": r"(?:^|_)(?:created|inserted|ordered|order|placed)(?:_at|_time|_ts|_timestamp|_date)$",
}


_ANY_TIME = r"(?:_at|_time|_ts|_timestamp|_date|^date)$"


_VERB_FAMILY = {"loaded": "loaded", "refreshed": "loaded", "ingested": "loaded", "synced": "loaded",
                "arrived": "loaded", "arrive": "loaded", "fresh": "loaded", "recent": "loaded",
                "updated": "updated", "created": "created", "inserted": "created"}  # fmt: skip


def _fresh_rank(model: ModelInfo, verb: str) -> int:
    """0 when the model has a column of the verb's family (loaded_at for 'loaded'), then 1, 2; 3: none."""
    for rank, family in enumerate(_families(verb)):
        if any(re.search(_FRESH_COLUMNS[family], col.lower()) for col in model.columns):
            return rank
    return len(_FRESH_COLUMNS)


def _families(verb: str) -> list[str]:
    family = _VERB_FAMILY.get(verb.lower(), "loaded")
    return [family] + [f for f in ("loaded", "updated", "created") if f != family]


def _fresh_column(model: ModelInfo, verb: str) -> str | None:
    """The column that says when a row was <verb>: its family first (loaded_at for 'loaded'), then others."""
    for family in _families(verb):
        for col in model.columns:
            if re.search(_FRESH_COLUMNS[family], col.lower()):
                return col
    timed = [c for c in model.columns if re.search(_ANY_TIME, c.lower())]
    return timed[0] if len(timed) == 1 else None


def _match_phrase(text: str) -> tuple[Phrase, re.Match[str]] | None:
    best: tuple[Phrase, re.Match[str]] | None = None
    for phrase in PHRASES:
        match = phrase.search(text)
        if match and (best is None or match.start() < best[1].start()):
            best = (phrase, match)
    return best


def _params(phrase: Phrase, match: re.Match[str], text: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(phrase.params)
    groups = match.groupdict()
    if phrase.kind == "not_null_proportion":
        share = float(groups["filled"]) / 100 if groups.get("filled") else 1 - float(groups["pct"]) / 100
        if not 0 <= share <= 1:
            raise NotUnderstood(f"{match.group(0).strip()!r} is not a share between 0% and 100%", "e.g. 5%")
        params["at_least"] = round(share, 6)
    if phrase.kind == "match_regex":
        word = groups["pattern"].lower()
        params["regex"] = REGEXES["email" if "mail" in word else "uuid"]
    if phrase.kind == "accepted_values":
        if _NOT_VALUES.search(groups["values"]):
            raise NotUnderstood(
                f"'{groups['values']}' does not read as a list of values",
                "list the values: 'one of a, b or c'",
            )
        values = _split_values(groups["values"])
        if not values:
            raise NotUnderstood(
                f"no values found in '{text}'", "list them, e.g. 'one of placed, shipped, completed'"
            )
        params["values"] = values
    if phrase.kind == "accepted_range":
        for bound in ("min", "max"):
            if groups.get(bound) is not None:
                params[f"{bound}_value"] = _number(groups[bound])
        if "min_value" in params and "max_value" in params and params["min_value"] > params["max_value"]:
            raise NotUnderstood(
                f"the range {params['min_value']} to {params['max_value']} is empty",
                "put the smaller bound first",
            )
    if phrase.kind == "row_count_between":
        if groups.get("over") is not None:
            params["min_value"] = int(groups["over"]) + 1
        if groups.get("under") is not None:
            params["max_value"] = int(groups["under"]) - 1
        for bound in ("min", "max"):
            if groups.get(bound) is not None:
                params[f"{bound}_value"] = int(groups[bound])
        low, high = params.get("min_value", 0), params.get("max_value")
        if high is not None and (high < 0 or high < low):
            raise NotUnderstood(f"no row count satisfies '{match.group(0).strip()}'", "check the numbers")
    if phrase.kind == "recency":
        unit = groups["unit"].lower()
        unit = {"min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour"}.get(unit, unit).rstrip("s")
        params["datepart"] = unit
        params["interval"] = int(groups["n"])
        if params["interval"] <= 0:
            raise NotUnderstood("a recency window must be at least 1", "e.g. 'within 2 days'")
    return params


def _is_number_type(data_type: str | None) -> bool | None:
    if not data_type:
        return None
    return bool(re.search(r"int|numeric|decimal|double|float|real|number|money|hugeint", data_type.lower()))


def _check_types(kind: str, params: Mapping[str, Any], model: ModelInfo, column: str) -> None:
    numeric = _is_number_type(model.columns.get(column))
    if numeric is None:
        return
    typ = model.columns.get(column)
    if kind == "accepted_range" and not numeric:
        raise NotUnderstood(
            f"{model.name}.{column} is {typ}, not a number: a numeric range cannot apply",
            "pick a numeric column",
        )
    if kind == "accepted_values" and numeric and any(isinstance(v, str) for v in params.get("values", [])):
        raise NotUnderstood(
            f"{model.name}.{column} is {typ} but the values {params['values']} are text",
            "list numbers, or pick another column",
        )


def _relation_ref(index: ProjectIndex, unique_id: str) -> str | None:
    model = index.by_id.get(unique_id)
    if model is None:
        return None
    if model.resource_type == "source":
        source, table = model.name.split(".", 1)
        return f"source('{source}', '{table}')"
    return f"ref('{model.name}')"


def _plan(index: ProjectIndex, spec: CheckSpec, proposed: bool = False, why: str = "") -> PlannedCheck:
    entry = catalog.dbt_test_entry(spec, lambda uid: _relation_ref(index, uid))
    if entry is None:
        raise NotUnderstood(f"dbt cannot express a {spec.kind} check", "ask for another kind of check")
    name, arguments, column_level = entry
    name = _test_name(index, spec.kind)
    covered = next((e for e in index.existing if _same_check(e, spec)), None)
    return PlannedCheck(
        spec=spec,
        test_name=name,
        arguments=arguments,
        column_level=column_level,
        proposed=proposed,
        why=why,
        covered_by=covered.origin.ref if covered else None,
    )


def _norm_params(params: Mapping[str, Any]) -> Any:
    out = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = sorted(str(v) for v in value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        out[key] = value
    if out.get("inclusive", True) is True:
        out.pop("inclusive", None)
    return out


def _same_check(existing: CheckSpec, spec: CheckSpec) -> bool:
    return (
        existing.node_id == spec.node_id
        and existing.kind == spec.kind
        and tuple(c.lower() for c in existing.columns) == tuple(c.lower() for c in spec.columns)
        and existing.where is None
        and _norm_params(existing.params) == _norm_params(spec.params)
    )


def _propose_relationship(index: ProjectIndex, model: ModelInfo, column: str) -> tuple[ModelInfo, str] | None:
    """The model `column` most likely refers to: another model whose unique key has the same name."""
    if not column.lower().endswith("_id") or column in model.unique_columns:
        return None  # not a key, or the model's own key (not a reference to another model)
    below = index.descendants(model.unique_id) | {model.unique_id}
    candidates = [
        m for m in index.models.values()
        if m.unique_id not in below and any(c.lower() == column.lower() for c in m.unique_columns)
    ]  # fmt: skip
    if model.resource_type in ("source", "seed"):  # raw data refers to raw data, not to models built on it
        candidates = [m for m in candidates if m.resource_type in ("source", "seed")]
    if not candidates:
        return None
    convention: dict[str, int] = {}
    for spec in index.existing:  # the project's habit: relationships tests people wrote on that column
        if spec.origin.ref in index.owned_tests:
            continue
        if spec.kind == "relationships" and spec.column and spec.column.lower() == column.lower():
            parent = str(spec.params.get("to"))
            convention[parent] = convention.get(parent, 0) + 1
    above = index.ancestors(model.unique_id)
    stem = column.lower()[: -len("_id")]

    def rank(m: ModelInfo) -> tuple[Any, ...]:
        named = _squash(_stem(m.name)) in {_squash(v) for v in _variants(stem)}
        return (
            -convention.get(m.unique_id, 0),
            m.unique_id not in above,
            not named,
            m.resource_type != "model",
            m.name,
        )

    best = sorted(candidates, key=rank)[0]
    reasons = [f"{column} is the unique key of {best.name}"]
    if convention.get(best.unique_id):
        reasons.append(f"{convention[best.unique_id]} existing relationships test(s) on {column} point there")
    return best, "; ".join(reasons)


_CONDITION = re.compile(
    r"\b(?:when|where|whenever|if|unless|except|excluding|but|only for|only when|only if|provided)\b", re.I
)


_COMBINATION = re.compile(
    r"\b(?:the\s+)?(?:combination|pair|tuple|set)\s+of\b|\b(?:together|jointly|in combination|as a pair|combined)\b",
    re.IGNORECASE,
)


def _column_list(words: str) -> list[str]:
    """'order_id and product_id' / 'a, b and c' -> names (a single name stays one)."""
    parts = [p.strip() for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", words) if p.strip()]
    return parts or [words]


def _parent_params(index: ProjectIndex, model: ModelInfo, column: str, parent_words: str) -> dict[str, Any]:
    parents = model_candidates(index, parent_words)
    if not parents:
        raise _unknown_model(index, parent_words)
    parent = _pick([p for p in parents if find_column(p, column)] or parents, parent_words)
    field_name = find_column(parent, column) or next(iter(sorted(parent.unique_columns)), None)
    if field_name is None:
        raise NotUnderstood(
            f"{parent.name} has no column {column} and no unique key to match it with",
            f"say which column: '{column} in {model.name} references {parent.name}.<column>'",
        )
    return {"to": parent.unique_id, "field": field_name}


def _kinds(
    kind: str, params: Mapping[str, Any], model: ModelInfo, column: str
) -> list[tuple[str, dict[str, Any]]]:
    """The checks one phrase asks for on a column: a primary key is not null and unique."""
    if kind == "primary_key":
        return [("not_null", {}), ("unique", {})]
    if kind == "not_in_future":
        typ = (model.columns.get(column) or "").lower()
        if typ and not re.search(r"date|time", typ):
            raise NotUnderstood(
                f"{model.name}.{column} is {typ}, not a date: 'in the future' cannot apply",
                "pick a date column",
            )
        return [("expression_is_true", {"expression": "<= current_timestamp"})]
    return [(kind, dict(params))]


def _column_of(model: ModelInfo, words: str, kind: str, parents: Sequence[ModelInfo] = ()) -> str | None:
    """The column the words name; for a reference ("every order's customer") also its key column, or
    the unique key of the parent named in the request when the words name that parent's entity
    ("every invoice's account must exist in stg_accounts" -> acct_id)."""
    found = find_column(model, words)
    if found is None and kind == "relationships":
        for suffix in ("_id", "_key", "_no", "_code"):
            found = find_column(model, _key(words) + suffix)
            if found:
                break
        named = {_squash(v) for v in _variants(words)}
        for parent in parents:
            if found is None and _squash(_stem(parent.name)) in named:
                found = next((c for k in sorted(parent.unique_columns) if (c := find_column(model, k))), None)
    return found


def _linked(index: ProjectIndex, model: ModelInfo, column: str, parents: Sequence[ModelInfo]) -> str | None:
    """The parent `model.column` is declared to reference (a relationships test, or a foreign entity of
    the semantic layer whose primary entity is on the parent), else None."""
    ids = {p.unique_id: p.name for p in parents}
    for spec in index.existing:
        declared = spec.kind == "relationships" and spec.node_id == model.unique_id and spec.column == column
        if declared and str(spec.params.get("to")) in ids:
            return ids[str(spec.params.get("to"))]
    for local, parent_id, _ in index.semantic.joins(model.unique_id):
        if local == column and parent_id in ids:
            return ids[parent_id]
    return None


def _parse_test(index: ProjectIndex, text: str, phrase: Phrase, match: re.Match[str]) -> TestIntent:
    severity = Severity.WARN if _SEVERITY_WARN.search(text) else Severity.ERROR
    if severity is Severity.WARN:  # read the rest without the severity words
        text = re.sub(r"[\s,;]*" + _SEVERITY_WARN.pattern + r"[\s,;]*", " ", text, flags=re.I).strip(" ,;")
        found = _match_phrase(text)
        if found is None:
            raise NotUnderstood(f"could not read '{text}' as a check", "e.g. " + EXAMPLES[0])
        phrase, match = found
    params = _params(phrase, match, text)
    notes: list[str] = []
    said = match.groupdict().get("subject")  # phrases that wrap the subject ("allowed values for X are")
    subject = _subject_words(said if said else text[: match.start()] + " " + text[match.end() :])
    combined = phrase.kind == "unique" and bool(_COMBINATION.search(subject + " " + match.group(0)))
    subject = _COMBINATION.sub(" ", subject).strip()
    condition = _CONDITION.search(subject)
    if condition:  # a check on some rows only: the tests it writes apply to every row
        raise refuse_unread(text, unread_words(subject[condition.start() :]))
    model_words, column_words = _locate(index, subject)
    if phrase.kind == "not_null" and model_words and not column_words:  # "sales is never empty": has rows
        phrase, params = Phrase("row_count_between", ""), {"min_value": 1}
    if phrase.kind in ("recency", "row_count_between") and model_words is None and column_words:
        model_words, column_words = column_words, None
    if model_words is None and column_words is None:
        raise NotUnderstood(f"which column of which model? '{text}' names neither", "e.g. " + EXAMPLES[0])
    names = _column_list(column_words) if column_words else []
    parents = model_candidates(index, match["parent"]) if phrase.kind == "relationships" else []

    def has_all(model: ModelInfo) -> bool:
        return all(_column_of(model, n, phrase.kind, parents) for n in names)

    linked_why = ""
    if model_words is None:
        owners = [m for m in index.models.values() if has_all(m)]
        if not owners:
            missing = next(n for n in names if not any(find_column(m, n) for m in index.models.values()))
            raise NotUnderstood(
                f"no model has a column '{missing}'",
                _did_you_mean(missing, sorted({c for m in index.models.values() for c in m.columns}))
                or "name the model too: '<column> in <model>'",
            )
        model = _only_owner(owners, column_words or "")
        notes.append(f"'{column_words}': only {model.name} has it: using {model.name}")
    else:
        candidates = model_candidates(index, model_words)
        if not candidates:
            raise _unknown_model(index, model_words)
        if names and len(candidates) > 1:
            candidates = [m for m in candidates if has_all(m)] or candidates
        if phrase.kind == "relationships" and len(names) == 1 and len(candidates) > 1:
            # "every invoice's account must exist in stg_accounts": the one invoice model whose column is
            # declared to reference that model is the one meant; none or several: still a question
            links = {
                m.name: parent
                for m in candidates
                if (col := _column_of(m, names[0], phrase.kind, parents))
                and (parent := _linked(index, m, col, parents))
            }
            if len(links) == 1:
                chosen, parent_name = next(iter(links.items()))
                others = ", ".join(
                    m.name for m in candidates if m.name != chosen and m.resource_type == "model"
                )
                linked_why = f" (of {chosen}, {others}: the one whose {names[0]} is declared to reference {parent_name})"
                candidates = [index.models[chosen]]
        if phrase.kind == "recency" and not names and len(candidates) > 1:
            verb = match.groupdict().get("verb") or "loaded"
            ranks = {m.name: _fresh_rank(m, verb) for m in candidates}
            best = min(ranks.values())
            if best < len(_FRESH_COLUMNS):
                candidates = [m for m in candidates if ranks[m.name] == best]
        model = _pick(candidates, model_words)
        if _key(model_words) != model.name:
            notes.append(f"'{model_words}' read as {model.name}")
    reading = [Reading("check", phrase.kind, match.group(0).strip())]
    reading.append(
        Reading(
            "model",
            model.name + linked_why,
            model_words or f"(the only model with {column_words})",
        )
    )
    columns: list[str] = []
    for name in names:
        column = _column_of(model, name, phrase.kind, parents)
        if column is None:
            raise _unknown_column(model, name)
        columns.append(column)
        reading.append(Reading("column", column, name))
    if phrase.kind == "recency" and not columns:
        verb = match.groupdict().get("verb") or "loaded"
        column = _fresh_column(model, verb)
        if column is None:
            raise NotUnderstood(
                f"{model.name} has no column that says when a row was {verb}",
                "name it: '<column> in <model> should be within 2 days'",
            )
        notes.append(f"recency measured on {model.name}.{column}")
        columns.append(column)
    if phrase.kind == "row_count_between":
        if columns:
            raise NotUnderstood(
                "a row count is about the whole model, not a column", f"say '{model.name} has at least 1 row'"
            )
        spec = CheckSpec(
            node_id=model.unique_id,
            kind="row_count_between",
            params=params,
            dimension=catalog.dimension_for("row_count_between"),
            severity=severity,
            origin=Origin(OriginType.NATURAL_LANGUAGE, text[:200]),
            description=f"Requested: {text[:200]}",
        )
        return TestIntent(
            request=text,
            model=model,
            checks=(_plan(index, spec),),
            notes=tuple(notes),
            reading=tuple(reading),
        )
    if not columns:
        raise NotUnderstood(f"which column of {model.name}? '{text}' names none", "e.g. " + EXAMPLES[0])
    if phrase.kind == "recency" and len(columns) > 1:
        raise NotUnderstood("recency is measured on one column", "name one: '<column> in <model> ...'")
    origin = Origin(OriginType.NATURAL_LANGUAGE, text[:200])

    def spec_for(kind: str, cols: tuple[str, ...], kind_params: dict[str, Any], why: str) -> CheckSpec:
        return CheckSpec(
            node_id=model.unique_id,
            kind=kind,
            columns=cols,
            params=kind_params,
            dimension=catalog.dimension_for(kind),
            severity=severity,
            origin=origin,
            description=f"{why}: {text[:200]}",
        )

    if combined and len(columns) > 1:
        checks = [_plan(index, spec_for("unique_combination", tuple(columns), {}, "Requested"))]
        return TestIntent(
            request=text, model=model, checks=tuple(checks), notes=tuple(notes), reading=tuple(reading)
        )
    checks = []
    for column in columns:
        column_params = dict(params)
        if phrase.kind == "relationships":
            column_params = _parent_params(index, model, column, match["parent"])
            reading.append(Reading("parent", str(column_params["to"]).split(".")[-1], match["parent"]))
        for kind, kind_params in _kinds(phrase.kind, column_params, model, column):
            _check_types(kind, kind_params, model, column)
            checks.append(_plan(index, spec_for(kind, (column,), kind_params, "Requested")))
        if phrase.kind == "relationships":
            continue
        proposal = _propose_relationship(index, model, column)
        if proposal:
            parent, why = proposal
            field_name = next(c for c in parent.unique_columns if c.lower() == column.lower())
            rel = spec_for(
                "relationships", (column,), {"to": parent.unique_id, "field": field_name}, "Proposed for"
            )
            checks.append(_plan(index, rel, proposed=True, why=why))
    return TestIntent(
        request=text, model=model, checks=tuple(checks), notes=tuple(notes), reading=tuple(reading)
    )
