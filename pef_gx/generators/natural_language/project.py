"""What the interpreter knows of the project (models, columns, keys, tests) and how names in a request
are matched to it; the intents a request becomes. Shared by the check and model readers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pef_gx.artifacts.manifest import Manifest
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec
from pef_gx.errors import PefGxError
from pef_gx.generators.base import is_owned
from pef_gx.generators.dbt_tests import from_dbt_tests
from pef_gx.generators.natural_language.semantic import SemanticLayer, read_semantic_layer

GENERATED_FOLDER = "generated"  # models/generated/<name>.sql


EXAMPLES = (
    '"make sure product_id in sales is never null"',
    '"status of fct_orders must be one of placed, shipped, completed"',
    '"a model for daily revenue"',
)


class NotUnderstood(PefGxError):
    """The request names something the project does not have, or says something the interpreter cannot read."""


@dataclass(frozen=True)
class ModelInfo:
    unique_id: str
    name: str
    resource_type: str
    path: str  # original_file_path
    columns: Mapping[str, str | None]  # name -> type when known (contract or catalog), in file order
    unique_columns: frozenset[str] = frozenset()  # single columns with a unique test or pk/unique constraint
    parents: frozenset[str] = frozenset()  # unique_ids it depends on
    built: bool = False  # columns read from the built relation (catalog.json or the warehouse)
    descriptions: Mapping[str, str] = field(default_factory=dict)  # column -> description (properties YAML)
    # column -> the values it holds (accepted_values tests, and small sets read from the warehouse)
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ProjectIndex:
    project_name: str
    adapter_type: str
    dbt_version: str
    models: dict[str, ModelInfo]  # by name (sources as "source.table")
    existing: list[CheckSpec]  # the project's own dbt tests as CheckSpecs (origin ref = test unique_id)
    test_names: frozenset[str]  # generic tests the project can call: "not_null", "dbt_utils.accepted_range"
    # unique_ids of the tests pef-gx wrote (they are not the project's habits)
    owned_tests: frozenset[str] = frozenset()
    by_id: dict[str, ModelInfo] = field(default_factory=dict)
    semantic: SemanticLayer = field(default_factory=SemanticLayer)  # dbt semantic models and metrics

    @classmethod
    def from_manifest(
        cls,
        manifest: Manifest,
        raw: Mapping[str, Any],
        catalog_types: Mapping[str, Mapping[str, str]] | None = None,
        value_sets: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    ) -> ProjectIndex:
        catalog_types = catalog_types or {}
        value_sets = value_sets or {}
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
            documented: dict[str, str | None] = {n: c.data_type for n, c in node.columns.items()}
            built = catalog_types.get(node.unique_id) or {}
            # the built relation is the truth (a column the YAML does not document still exists); the
            # YAML adds descriptions, and its columns stay known when the relation is not built
            cols: dict[str, str | None] = {}
            lowered = {n.lower(): n for n in documented}
            for name, typ in built.items():
                doc_name = lowered.get(name.lower())
                cols[doc_name or name] = typ or (documented.get(doc_name) if doc_name else None)
            for name, typ in documented.items():
                if name not in cols and name.lower() not in {c.lower() for c in cols}:
                    cols[name] = typ
            keys = set(unique.get(node.unique_id, set()))
            keys.update(node.primary_key if len(node.primary_key) == 1 else ())
            for col in node.columns.values():
                if any(str(c.get("type")) in ("primary_key", "unique") for c in col.constraints):
                    keys.add(col.name)
            parents = (raw_nodes.get(node.unique_id) or {}).get("depends_on") or {}
            values: dict[str, set[str]] = {
                c: set(v) for c, v in (value_sets.get(node.unique_id) or {}).items()
            }
            for spec in existing:
                if spec.node_id == node.unique_id and spec.kind == "accepted_values" and spec.column:
                    values.setdefault(spec.column, set()).update(
                        str(v) for v in spec.params.get("values") or []
                    )
            info = ModelInfo(
                unique_id=node.unique_id,
                name=f"{node.source_name}.{node.name}" if node.source_name else node.name,
                resource_type=node.resource_type,
                path=node.original_file_path,
                columns=cols,
                unique_columns=frozenset(keys),
                parents=frozenset(parents.get("nodes") or ()),
                built=bool(built),
                values={c: tuple(sorted(v)) for c, v in values.items()},
                descriptions={
                    str(n): str(c.get("description"))
                    for n, c in ((raw_nodes.get(node.unique_id) or {}).get("columns") or {}).items()
                    if isinstance(c, dict) and c.get("description")
                },
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
            owned_tests=frozenset(uid for uid, test in manifest.tests.items() if is_owned(dict(test.meta))),
            test_names=frozenset(tests),
            by_id={m.unique_id: m for m in models.values()},
            semantic=read_semantic_layer(raw),
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
        model = _model_name(spec.node_id)
        where = model if not spec.columns else f"{model}.{spec.columns[0]}"
        if len(spec.columns) > 1:
            where = f"{model} ({', '.join(spec.columns)})"
        params = ", ".join(f"{k}={_show(v)}" for k, v in spec.params.items())
        return f"{spec.kind} on {where}" + (f" ({params})" if params else "")


@dataclass(frozen=True)
class Reading:
    """One part of the plan a request became, and the words of the request it came from."""

    part: str  # check | model | column | parent | measure | grain | filter | template | window
    value: str
    words: str

    def __str__(self) -> str:
        return f"{self.part} {self.value} <- '{self.words}'"


@dataclass(frozen=True)
class TestIntent:
    request: str
    model: ModelInfo
    checks: tuple[PlannedCheck, ...]
    notes: tuple[str, ...] = ()
    reading: tuple[Reading, ...] = ()


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
    reading: tuple[Reading, ...] = ()


def _model_name(unique_id: str) -> str:
    return unique_id.split(".")[-1]


def _show(value: Any) -> str:
    if isinstance(value, str) and value.count(".") >= 2:
        return _model_name(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


_NUM = r"-?\d+(?:\.\d+)?"


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().strip("'\"`,;:").lower())


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
            f"'{word.strip()}' is not a known column of {model.name}: it is not built and its columns are"
            " not documented",
            "build it (pef-gx build / dbt run) so its columns can be read from the warehouse",
        )
    hint = _did_you_mean(word, list(model.columns)) or "its columns: " + ", ".join(list(model.columns)[:15])
    if not model.built:
        hint += " (as documented: it is not built, so other columns may exist; build it first)"
    return NotUnderstood(f"{model.name} has no column '{word.strip()}'", hint)


def _pick(candidates: list[ModelInfo], word: str, why: str = "") -> ModelInfo:
    if len(candidates) > 1:  # prefer models over seeds/snapshots/sources
        models = [m for m in candidates if m.resource_type == "model"]
        candidates = models or candidates
    if len(candidates) > 1:
        names = ", ".join(m.name for m in candidates)
        raise NotUnderstood(f"'{word.strip()}' could mean {names}{why}", "name the model exactly")
    return candidates[0]


def _only_owner(owners: list[ModelInfo], column_words: str) -> ModelInfo:
    """The one model that has the column; several are a question to the user, never a guess."""
    if len(owners) > 1:
        names = ", ".join(sorted(m.name for m in owners))
        raise NotUnderstood(
            f"which model? '{column_words.strip()}' is a column of {len(owners)} models: {names}",
            f"name one: '{column_words.strip()} in <model>' (nothing was written)",
        )
    return owners[0]


# Words that carry no meaning of their own in a request (articles, politeness, the words for "model").
FILLER = frozenset(
    """a an the of for with that which please me my our us new model models table tables view mart report
dbt show shows showing give gives list lists listing i we want need create build make write generate
add get to can you could would like is are be it this""".split()  # noqa: SIM905
)


def unread_words(words: str, filler: frozenset[str] = FILLER) -> list[str]:
    """The meaning-bearing words of `words` (what is left of a request after its reading)."""
    found = re.findall(r"[A-Za-z0-9_%$\-]+(?:'s)?|[<>=!]+|[{}()*]+", words)
    return [w for w in found if w.lower() not in filler]


def refuse_unread(request: str, unread: Sequence[str]) -> NotUnderstood:
    shown = ", ".join(f"'{w}'" for w in dict.fromkeys(unread))
    return NotUnderstood(
        f"did not understand {shown} in '{request}'; nothing was written",
        "leave those words out, or say it another way (pef-gx ask --help lists what it reads)",
    )


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
        "run `pef-gx init` to install pef-gx's generic tests"
        + (" (or install dbt_utils)" if any(n.startswith("dbt_utils.") for n in names) else ""),
    )


def _ident(name: str) -> str:
    """A column name or `a * b` expression from the manifest as SQL: plain names as they are, others quoted."""
    parts = [p.strip() for p in str(name).split("*")]
    out = []
    for part in parts:
        out.append(part if re.fullmatch(r"[a-z_][a-z0-9_]*", part) else '"' + part.replace('"', '""') + '"')
    return " * ".join(out)


def _comment_safe(text: str) -> str:
    return re.sub(r"[^\w ,.'()%+-]", " ", text).replace("--", "-").strip()[:200]
