"""Plain-English requests -> a test intent (CheckSpecs) or a model intent (a template and its slots).

No language model: a deterministic interpreter grounded in the project's manifest. Everything it knows
about English is in the tables below (`PHRASES`: check phrasings -> check kinds; `TEMPLATES`,
`MEASURES`, `ROLES`: model requests -> a template and the columns that fill it). Names in a request are
matched against the project's real model and column names (case, spaces, hyphens and plurals are
forgiven: "product id" is `product_id`); anything else is an error with a "did you mean" and exit 2,
never a guess dressed up as an answer.

Public API:
- `ProjectIndex.from_manifest(manifest, raw_manifest, catalog_types)`: what the interpreter may name.
- `parse_request(text, index, source=None, name=None)` -> `TestIntent` | `ModelIntent`
  (raises `NotUnderstood`, a PefGxError: exit 2).
- `render_model(intent, dbt_version)` -> (SQL text, properties YAML text) for a `ModelIntent`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Manifest
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.checks.sql_template import quote_literal
from pef_gx.errors import PefGxError
from pef_gx.generators.base import is_owned
from pef_gx.generators.dbt_tests import from_dbt_tests

TEMPLATE_DIR = Path(__file__).with_name("nl_templates")
GENERATED_FOLDER = "generated"  # models/generated/<name>.sql
EXAMPLES = (
    '"make sure product_id in sales is never null"',
    '"status of fct_orders must be one of placed, shipped, completed"',
    '"a model for daily revenue"',
)


class NotUnderstood(PefGxError):
    """The request names something the project does not have, or says something the interpreter cannot read."""


# ---------------------------------------------------------------------------------------------------
# The project, as the interpreter sees it


@dataclass(frozen=True)
class ModelInfo:
    unique_id: str
    name: str
    resource_type: str
    path: str  # original_file_path
    columns: Mapping[str, str | None]  # name -> type when known (contract or catalog), in file order
    unique_columns: frozenset[str] = frozenset()  # single columns with a unique test or pk/unique constraint
    parents: frozenset[str] = frozenset()  # unique_ids it depends on


@dataclass
class ProjectIndex:
    project_name: str
    adapter_type: str
    dbt_version: str
    models: dict[str, ModelInfo]  # by name (sources as "source.table")
    existing: list[CheckSpec]  # the project's own dbt tests as CheckSpecs (origin ref = test unique_id)
    test_names: frozenset[str]  # generic tests the project can call: "not_null", "dbt_utils.accepted_range"
    by_id: dict[str, ModelInfo] = field(default_factory=dict)

    @classmethod
    def from_manifest(
        cls,
        manifest: Manifest,
        raw: Mapping[str, Any],
        catalog_types: Mapping[str, Mapping[str, str]] | None = None,
    ) -> ProjectIndex:
        catalog_types = catalog_types or {}
        # every test counts, pef-gx's own too (from_dbt_tests skips those: they mirror suites)
        plain = {
            uid: replace(t, meta={}) if is_owned(dict(t.meta)) else t for uid, t in manifest.tests.items()
        }
        existing = from_dbt_tests(replace(manifest, tests=plain), manifest.nodes).specs
        unique: dict[str, set[str]] = {}
        for spec in existing:
            if spec.kind == "unique" and spec.column and spec.where is None:
                unique.setdefault(spec.node_id, set()).add(spec.column)
        raw_nodes = {**(raw.get("nodes") or {}), **(raw.get("sources") or {})}
        models: dict[str, ModelInfo] = {}
        for node in manifest.nodes.values():
            cols: dict[str, str | None] = {n: c.data_type for n, c in node.columns.items()}
            for name, typ in (catalog_types.get(node.unique_id) or {}).items():
                if cols.get(name) is None:
                    cols[name.lower() if name.lower() in cols else name] = typ or None
            keys = set(unique.get(node.unique_id, set()))
            keys.update(node.primary_key if len(node.primary_key) == 1 else ())
            for col in node.columns.values():
                if any(str(c.get("type")) in ("primary_key", "unique") for c in col.constraints):
                    keys.add(col.name)
            parents = (raw_nodes.get(node.unique_id) or {}).get("depends_on") or {}
            info = ModelInfo(
                unique_id=node.unique_id,
                name=f"{node.source_name}.{node.name}" if node.source_name else node.name,
                resource_type=node.resource_type,
                path=node.original_file_path,
                columns=cols,
                unique_columns=frozenset(keys),
                parents=frozenset(parents.get("nodes") or ()),
            )
            if node.resource_type != "source" and node.package_name != manifest.project_name:
                continue  # models of installed packages are not the user's to test here
            models.setdefault(info.name, info)
        tests: set[str] = set()
        for macro in (raw.get("macros") or {}).values():
            name, package = str(macro.get("name") or ""), str(macro.get("package_name") or "")
            if name.startswith("test_"):
                bare = name[len("test_") :]
                tests.add(bare if package in ("dbt", manifest.project_name) else f"{package}.{bare}")
        return cls(
            project_name=manifest.project_name,
            adapter_type=manifest.adapter_type,
            dbt_version=manifest.dbt_version,
            models=models,
            existing=existing,
            test_names=frozenset(tests),
            by_id={m.unique_id: m for m in models.values()},
        )

    def descendants(self, unique_id: str) -> set[str]:
        children: dict[str, set[str]] = {}
        for model in self.models.values():
            for parent in model.parents:
                children.setdefault(parent, set()).add(model.unique_id)
        seen: set[str] = set()
        todo = [unique_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def ancestors(self, unique_id: str) -> set[str]:
        seen: set[str] = set()
        todo = [unique_id]
        while todo:
            model = self.by_id.get(todo.pop())
            for parent in model.parents if model else ():
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


# ---------------------------------------------------------------------------------------------------
# Intents


@dataclass(frozen=True)
class PlannedCheck:
    spec: CheckSpec
    test_name: str  # the dbt generic test to write (one the project has)
    arguments: Mapping[str, Any]
    column_level: bool
    proposed: bool = False  # not asked for: proposed because of what the project says (relationships)
    why: str = ""
    covered_by: str | None = None  # unique_id of an existing dbt test that already checks exactly this

    @property
    def summary(self) -> str:
        spec = self.spec
        where = (
            f"{_model_name(spec.node_id)}.{spec.columns[0]}" if spec.columns else _model_name(spec.node_id)
        )
        params = ", ".join(f"{k}={_show(v)}" for k, v in spec.params.items())
        return f"{spec.kind} on {where}" + (f" ({params})" if params else "")


@dataclass(frozen=True)
class TestIntent:
    request: str
    model: ModelInfo
    checks: tuple[PlannedCheck, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelIntent:
    request: str
    template: str  # file stem in nl_templates/
    name: str  # the new model
    source: ModelInfo
    slots: Mapping[str, Any]  # template variables
    grain: tuple[str, ...]  # output columns that identify a row
    columns: tuple[tuple[str, str], ...]  # (output column, description)
    description: str
    notes: tuple[str, ...] = ()


def _model_name(unique_id: str) -> str:
    return unique_id.split(".")[-1]


def _show(value: Any) -> str:
    if isinstance(value, str) and value.count(".") >= 2:
        return _model_name(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


# ---------------------------------------------------------------------------------------------------
# The phrase table: how a check is said -> its kind and parameters

_NUM = r"-?\d+(?:\.\d+)?"
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


PHRASES: tuple[Phrase, ...] = (
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
    # unique
    Phrase("unique", r"(?<!\w)" + _TO_BE + r"(?:be\s+)?(?:unique|distinct|a unique key|the primary key|a primary key)\b"),
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
)  # fmt: skip

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


# ---------------------------------------------------------------------------------------------------
# Names


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().strip("'\"`").lower())


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _variants(text: str) -> list[str]:
    """The spellings a name may have in the project: product ids -> product_ids, product_id."""
    key = _key(text)
    out = [key]
    if key.endswith("ies"):
        out.append(key[:-3] + "y")
    if key.endswith("es"):
        out.append(key[:-2])
    if key.endswith("s"):
        out.append(key[:-1])
    else:
        out.append(key + "s")
    return out


_PREFIXES = ("stg_", "fct_", "fact_", "dim_", "int_", "raw_", "base_", "mart_", "rpt_", "agg_")


def _stem(name: str) -> str:
    bare = name.split(".")[-1]
    for prefix in _PREFIXES:
        if bare.startswith(prefix):
            return bare[len(prefix) :]
    return bare


def _did_you_mean(word: str, choices: Sequence[str], n: int = 3) -> str | None:
    key = _key(word)
    close = difflib.get_close_matches(key, list(choices), n=n, cutoff=0.6)
    if not close:  # also compare without prefixes and underscores ("sale" -> "sales", "cust" -> ...)
        squashed = {_squash(_stem(c)): c for c in choices}
        close = [
            squashed[c] for c in difflib.get_close_matches(_squash(key), list(squashed), n=n, cutoff=0.6)
        ]
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def model_candidates(index: ProjectIndex, text: str) -> list[ModelInfo]:
    """Models the words may name: the exact name first, else models whose name without prefix matches."""
    variants = _variants(text)
    for variant in variants:
        if variant in index.models:
            return [index.models[variant]]
    squashed = {_squash(v) for v in variants}
    exact = [m for m in index.models.values() if _squash(m.name) in squashed]
    if exact:
        return exact
    return sorted(
        (m for m in index.models.values() if _squash(_stem(m.name)) in squashed),
        key=lambda m: m.name,
    )


def find_column(model: ModelInfo, text: str) -> str | None:
    variants = _variants(text)
    lowered = {c.lower(): c for c in model.columns}
    for variant in variants:
        if variant in lowered:
            return lowered[variant]
    squashed = {_squash(v) for v in variants}
    for col in model.columns:
        if _squash(col) in squashed:
            return col
    return None


def _unknown_model(index: ProjectIndex, word: str) -> NotUnderstood:
    hint = _did_you_mean(word, sorted(index.models)) or (
        "models: " + ", ".join(sorted(n for n, m in index.models.items() if m.resource_type == "model")[:12])
    )
    return NotUnderstood(
        f"no model, seed or source named '{word.strip()}' in dbt project {index.project_name}", hint
    )


def _unknown_column(model: ModelInfo, word: str) -> NotUnderstood:
    if not model.columns:
        return NotUnderstood(
            f"'{word.strip()}' is not a known column of {model.name}: its columns are not documented",
            f"describe them in {model.path.rsplit('/', 1)[0]}/ properties YAML or run `dbt docs generate`",
        )
    hint = _did_you_mean(word, list(model.columns)) or "its columns: " + ", ".join(list(model.columns)[:15])
    return NotUnderstood(f"{model.name} has no column '{word.strip()}'", hint)


def _pick(candidates: list[ModelInfo], word: str, why: str = "") -> ModelInfo:
    if len(candidates) > 1:  # prefer models over seeds/snapshots/sources
        models = [m for m in candidates if m.resource_type == "model"]
        candidates = models or candidates
    if len(candidates) > 1:
        names = ", ".join(m.name for m in candidates)
        raise NotUnderstood(f"'{word.strip()}' could mean {names}{why}", "name the model exactly")
    return candidates[0]


# ---------------------------------------------------------------------------------------------------
# Test requests


def _clean(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"\s+", " ", text).strip().rstrip(".!?;").strip()
    return text


def _split_values(text: str) -> list[Any]:
    text = re.sub(r"\s+(?:only|please)$", "", text.strip(), flags=re.IGNORECASE)
    parts = re.split(r"\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*/\s*|\s*\|\s*", text)
    values: list[Any] = []
    for part in parts:
        part = part.strip().strip("'\"`").strip()
        if not part:
            continue
        values.append(_number(part) if re.fullmatch(_NUM, part) else part)
    return values


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


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
    return " ".join(w.strip(",") for w in kept).strip()


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
    if phrase.kind == "accepted_values":
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
    if phrase.kind == "recency":
        unit = groups["unit"].lower()
        unit = {"min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour"}.get(unit, unit).rstrip("s")
        params["datepart"] = unit
        params["interval"] = int(groups["n"])
        if params["interval"] <= 0:
            raise NotUnderstood("a recency window must be at least 1", "e.g. 'within 2 days'")
    return params


def _test_name(index: ProjectIndex, kind: str) -> str:
    """The dbt generic test the project can call for `kind` (pef-gx's own, the project's, dbt_utils)."""
    spec = catalog.kind_of(kind)
    names = [n for n in dict.fromkeys([spec.dbt_test, *spec.dbt_tests]) if n]
    for name in names:
        if name.startswith("dbt_expectations."):
            continue  # other signatures
        if name in index.test_names:
            return name
    raise NotUnderstood(
        f"the dbt project has no generic test for {kind} (looked for {', '.join(n for n in names if not n.startswith('dbt_expectations.'))})",
        "run `pef-gx init` to install pef-gx's generic tests (or install dbt_utils)",
    )


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
    if not candidates:
        return None
    convention: dict[str, int] = {}
    for spec in index.existing:
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
    model_words, column_words = _locate(index, subject)
    if phrase.kind == "recency" and model_words is None and column_words:
        model_words, column_words = column_words, None
    if model_words is None and column_words is None:
        raise NotUnderstood(f"which column of which model? '{text}' names neither", "e.g. " + EXAMPLES[0])
    column: str | None = None
    if model_words is None:
        assert column_words is not None
        owners = [m for m in index.models.values() if find_column(m, column_words)]
        if not owners:
            raise NotUnderstood(
                f"no model has a column '{column_words}'",
                _did_you_mean(column_words, sorted({c for m in index.models.values() for c in m.columns}))
                or "name the model too: '<column> in <model>'",
            )
        model = _pick(owners, column_words, f" (all have a column '{column_words}')")
        notes.append(f"'{column_words}' is a column of {model.name} only: using {model.name}")
    else:
        candidates = model_candidates(index, model_words)
        if not candidates:
            raise _unknown_model(index, model_words)
        if column_words and len(candidates) > 1:
            having = [m for m in candidates if find_column(m, column_words)]
            candidates = having or candidates
        if phrase.kind == "recency" and not column_words and len(candidates) > 1:
            verb = match.groupdict().get("verb") or "loaded"
            ranks = {m.name: _fresh_rank(m, verb) for m in candidates}
            best = min(ranks.values())
            if best < len(_FRESH_COLUMNS):
                candidates = [m for m in candidates if ranks[m.name] == best]
        model = _pick(candidates, model_words)
        if _key(model_words) != model.name:
            notes.append(f"'{model_words}' read as {model.name}")
    if column_words:
        column = find_column(model, column_words)
        if column is None:
            raise _unknown_column(model, column_words)
    if phrase.kind == "recency" and column is None:
        verb = match.groupdict().get("verb") or "loaded"
        column = _fresh_column(model, verb)
        if column is None:
            raise NotUnderstood(
                f"{model.name} has no column that says when a row was {verb}",
                "name it: '<column> in <model> should be within 2 days'",
            )
        notes.append(f"recency measured on {model.name}.{column}")
    if column is None:
        raise NotUnderstood(f"which column of {model.name}? '{text}' names none", "e.g. " + EXAMPLES[0])
    if phrase.kind == "relationships":
        parents = model_candidates(index, match["parent"])
        if not parents:
            raise _unknown_model(index, match["parent"])
        parent = _pick([p for p in parents if find_column(p, column)] or parents, match["parent"])
        field_name = find_column(parent, column) or next(iter(sorted(parent.unique_columns)), None)
        if field_name is None:
            raise NotUnderstood(
                f"{parent.name} has no column {column} and no unique key to match it with",
                f"say which column: '{column} in {model.name} references {parent.name}.<column>'",
            )
        params = {"to": parent.unique_id, "field": field_name}
    _check_types(phrase.kind, params, model, column)
    origin = Origin(OriginType.NATURAL_LANGUAGE, text[:200])
    columns = (column,)
    spec = CheckSpec(
        node_id=model.unique_id,
        kind=phrase.kind,
        columns=columns,
        params=params,
        dimension=catalog.dimension_for(phrase.kind),
        severity=severity,
        origin=origin,
        description=f"Requested: {text[:200]}",
    )
    checks = [_plan(index, spec)]
    if phrase.kind != "relationships":
        proposal = _propose_relationship(index, model, column)
        if proposal:
            parent, why = proposal
            rel = CheckSpec(
                node_id=model.unique_id,
                kind="relationships",
                columns=columns,
                params={
                    "to": parent.unique_id,
                    "field": next(c for c in parent.unique_columns if c.lower() == column.lower()),
                },
                dimension=catalog.dimension_for("relationships"),
                severity=severity,
                origin=origin,
                description=f"Proposed for: {text[:200]}",
            )
            checks.append(_plan(index, rel, proposed=True, why=why))
    return TestIntent(request=text, model=model, checks=tuple(checks), notes=tuple(notes))


# ---------------------------------------------------------------------------------------------------
# Model requests: templates filled by column roles

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
        if "dim" in found:
            columns.append((grain[1], f"{found['dim']} of {model.name} ('unknown' when NULL)."))
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
    return ModelIntent(
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


def _ident(name: str) -> str:
    """A column name or `a * b` expression from the manifest as SQL: plain names as they are, others quoted."""
    parts = [p.strip() for p in str(name).split("*")]
    out = []
    for part in parts:
        out.append(part if re.fullmatch(r"[a-z_][a-z0-9_]*", part) else '"' + part.replace('"', '""') + '"')
    return " * ".join(out)


def _comment_safe(text: str) -> str:
    return re.sub(r"[^\w ,.'()%+-]", " ", text).replace("--", "-").strip()[:200]


# ---------------------------------------------------------------------------------------------------
# Entry point


def parse_request(
    text: str, index: ProjectIndex, source: str | None = None, name: str | None = None
) -> TestIntent | ModelIntent:
    """Read one request. Raises NotUnderstood (exit 2) with suggestions when it cannot."""
    request = _clean(text or "")
    if not request:
        raise NotUnderstood("the request is empty", "e.g. " + ", ".join(EXAMPLES))
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
    template_match = _match_template(body) or _match_template(stripped)
    wants_model = (bool(_MODEL_WORDS.search(request)) and not _TEST_WORDS.search(request)) or (
        source is not None or name is not None
    )
    phrase_match = _match_phrase(request)
    if template_match and (wants_model or phrase_match is None):
        return _model_intent(index, request, template_match[0], template_match[1], source, name, excluded)
    if phrase_match and not wants_model:
        return _parse_test(index, request, *phrase_match)
    if wants_model:
        raise NotUnderstood(
            f"no model template matches '{request}'",
            "templates: customer lifetime value; daily|weekly|monthly <revenue|orders|units> [by <column>]; "
            "<measure> per <customer|product|...>; top <N> <products|customers> by <measure>",
        )
    raise NotUnderstood(
        f"could not read '{request}' as a check or a model request",
        "say e.g. " + ", ".join(EXAMPLES) + " (see `pef-gx ask --help`)",
    )


def render_model(intent: ModelIntent, dbt_version: str) -> tuple[str, str]:
    """(model SQL, properties YAML) for a model request."""
    import jinja2
    import yaml

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
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
            entry[tests_key] = ["not_null"] + (["unique"] if len(intent.grain) == 1 else [])
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
