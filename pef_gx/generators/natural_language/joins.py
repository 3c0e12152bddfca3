"""Joins a composed model may make: from its source model to related models, only towards the side
where the key is unique (a column of the source equal to a parent's unique key: a `unique` test, a primary
key, or a primary entity of the semantic layer), up to two hops (payments -> orders -> customers). Such a
join never duplicates a source row, so a measure of the source keeps its grain; a column of a model on the
other side of a relationship (the many side) is never reached, so a request that needs one is refused.

Several ways to reach a column: the shortest; then the one with more declared edges (a relationships
test or a semantic-layer entity); then one ending at a `dim_` model; still several: none (a question)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pef_gx.generators.natural_language.project import (
    GENERATED_FOLDER,
    ModelInfo,
    ProjectIndex,
    _key,
    _squash,
    _stem,
    _variants,
    find_column,
)

MAX_HOPS = 2


@dataclass(frozen=True)
class Hop:
    local: str  # column of the model joined from
    parent: ModelInfo
    key: str  # the parent's unique key
    declared: bool  # a relationships test or a semantic entity says so


JoinPath = tuple[Hop, ...]


def _declared(index: ProjectIndex, model: ModelInfo) -> set[tuple[str, str]]:
    tested = {
        (str(spec.column), str(spec.params.get("to")))
        for spec in index.existing
        if spec.kind == "relationships" and spec.node_id == model.unique_id and spec.column
    }
    tested.update((local, parent) for local, parent, _ in index.semantic.joins(model.unique_id))
    return tested


def hops(index: ProjectIndex, model: ModelInfo) -> list[Hop]:
    """The models one join away from `model`, each joined on its unique key."""
    declared = _declared(index, model)
    out: dict[tuple[str, str], Hop] = {}
    candidates: list[tuple[str, ModelInfo, str]] = []
    for parent in index.models.values():
        if parent.unique_id == model.unique_id or parent.resource_type != "model":
            continue
        if GENERATED_FOLDER in Path(parent.path).parts[:-1] or parent.unique_id in index.semantic.time_spines:
            continue
        for key in sorted(parent.unique_columns):
            candidates.append((key, parent, key))
    for local_name, parent_id, key in index.semantic.joins(model.unique_id):
        parent = index.by_id.get(parent_id)
        if parent is not None:
            candidates.append((local_name, parent, key))
    for wanted, parent, key in candidates:
        local = find_column(model, wanted)
        if local is None or local in model.unique_columns or (local, parent.unique_id) in out:
            continue
        out[(local, parent.unique_id)] = Hop(local, parent, key, (local, parent.unique_id) in declared)
    return list(out.values())


def paths(index: ProjectIndex, model: ModelInfo) -> list[JoinPath]:
    found: list[JoinPath] = []
    frontier: list[JoinPath] = [()]
    for _ in range(MAX_HOPS):
        nxt: list[JoinPath] = []
        for path in frontier:
            here = path[-1].parent if path else model
            seen = {model.unique_id, *(h.parent.unique_id for h in path)}
            for hop in hops(index, here):
                if hop.parent.unique_id not in seen:
                    nxt.append((*path, hop))
        found.extend(nxt)
        frontier = nxt
    return found


def column_words(model: ModelInfo, words: str) -> str | None:
    """The column of `model` the words name (also <words>_name, <words>_code: 'country' -> country_name;
    'order status' -> status of an orders model, 'account region' -> region of an accounts model)."""
    said = [words]
    first, _, rest = words.strip().partition(" ")
    if rest and _squash(_stem(model.name)) in {_squash(v) for v in _variants(first)}:
        said.append(rest)
    for text in said:
        for candidate in (text, _key(text) + "_name", _key(text) + "_code"):
            col = find_column(model, candidate)
            if col:
                return col
    return None


def choose(found: list[tuple[JoinPath, str]]) -> tuple[JoinPath, str] | None:
    """The one way to reach a column (see the module's rule), or None when it is not one."""
    if not found:
        return None
    shortest = min(len(p) for p, _ in found)
    pick = [f for f in found if len(f[0]) == shortest]
    most = max(sum(h.declared for h in p) for p, _ in pick)
    pick = [f for f in pick if sum(h.declared for h in f[0]) == most]
    if len(pick) > 1:
        pick = [f for f in pick if f[0][-1].parent.name.startswith("dim_")] or pick
    ends = {(tuple((h.local, h.parent.unique_id) for h in p), c) for p, c in pick}
    return pick[0] if len(ends) == 1 else None


def join_column(reachable: list[JoinPath], words: str) -> tuple[JoinPath, str] | None:
    """The path to the one related model (of `reachable`, from paths()) with a column the words name."""
    return choose([(p, c) for p in reachable if (c := column_words(p[-1].parent, words))])


def join_value(reachable: list[JoinPath], word: str) -> tuple[JoinPath, str, str] | None:
    """(path, column, exact value) when a related model has one column holding the value `word`."""
    found: list[tuple[JoinPath, str]] = []
    exact: dict[tuple[str, str], str] = {}
    for path in reachable:
        parent = path[-1].parent
        hits = {
            (col, value) for col, values in parent.values.items() for value in values
            if value.lower() == word.lower()
        }  # fmt: skip
        if len({c for c, _ in hits}) == 1:
            col, value = next(iter(hits))
            found.append((path, col))
            exact[(parent.unique_id, col)] = value
    picked = choose(found)
    if picked is None:
        return None
    path, col = picked
    return path, col, exact[(path[-1].parent.unique_id, col)]
