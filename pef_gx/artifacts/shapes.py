"""The shape of every JSON file pef-gx reads, checked at the boundary (pydantic), field by field.

Only the fields pef-gx uses are described; anything else in a file is ignored, so dbt may add fields
freely. A file whose shape is wrong (a list where an object belongs, a column that is a string, a name
that is null) is answered by one `ArtifactError` (or the error class the caller passes) naming the file,
the JSON path of the first bad field, what was expected, and how to get a good file again.

Manifest nodes are checked one at a time, as they are read (`check_node`), and only the kinds pef-gx
uses (models, seeds, snapshots, sources, tests): a 90 MB manifest costs little more than reading it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, ValidationError

from pef_gx.errors import ArtifactError, PefGxError

_Obj = dict[str, Any]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class _DependsOn(_Shape):
    nodes: list[str] | None = None


class _Constraint(_Shape):
    type: str | None = None
    columns: list[str] | None = None
    expression: str | None = None
    to: str | None = None
    to_columns: list[str] | None = None


class _FreshnessRule(_Shape):
    count: int | None = None
    period: str | None = None


class _Freshness(_Shape):
    warn_after: _FreshnessRule | None = None
    error_after: _FreshnessRule | None = None
    filter: str | None = None


class _Contract(_Shape):
    enforced: StrictBool | None = None


class _Config(_Shape):
    meta: _Obj | None = None
    contract: _Contract | None = None
    loaded_at_field: str | None = None
    freshness: _Freshness | None = None
    severity: str | None = None
    where: str | None = None
    warn_if: str | None = None
    error_if: str | None = None


class _ColumnConfig(_Shape):
    meta: _Obj | None = None


class _Column(_Shape):
    name: str | None = None
    data_type: str | None = None
    constraints: list[_Constraint] | None = None
    meta: _Obj | None = None
    config: _ColumnConfig | None = None
    quote: StrictBool | None = None


class _Checkable(_Shape):
    """A model, seed, snapshot or source."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str | None = None
    identifier: str | None = None
    alias: str | None = None
    database: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    relation_name: str | None = None
    columns: dict[str, _Column] | None = None
    meta: _Obj | None = None
    tags: list[str] | None = None
    original_file_path: str | None = None
    patch_path: str | None = None
    config: _Config | None = None
    contract: _Contract | None = None
    constraints: list[_Constraint] | None = None
    primary_key: list[str] | None = None
    source_name: str | None = None
    loaded_at_field: str | None = None
    freshness: _Freshness | None = None
    depends_on: _DependsOn | None = None


class _TestMetadata(_Shape):
    name: str | None = None
    namespace: str | None = None
    kwargs: _Obj | None = None


class _Test(_Shape):
    unique_id: str
    name: str | None = None
    test_metadata: _TestMetadata | None = None
    column_name: str | None = None
    attached_node: str | None = None
    depends_on: _DependsOn | None = None
    config: _Config | None = None
    meta: _Obj | None = None
    raw_code: str | None = None
    compiled_code: str | None = None
    original_file_path: str | None = None
    description: str | None = None


class _Metadata(_Shape):
    dbt_schema_version: str
    project_name: str | None = None
    adapter_type: str | None = None
    dbt_version: str | None = None


class _ManifestTop(_Shape):
    metadata: _Metadata
    nodes: dict[str, _Obj] | None = None
    sources: dict[str, _Obj] | None = None


class _CatalogColumn(_Shape):
    name: str | None = None
    type: str | None = None


class _CatalogEntry(_Shape):
    columns: dict[str, _CatalogColumn] | None = None


class _Catalog(_Shape):
    nodes: dict[str, _CatalogEntry] | None = None
    sources: dict[str, _CatalogEntry] | None = None


class _Timing(_Shape):
    name: str | None = None
    started_at: str | None = None
    completed_at: str | None = None


class _NodeRun(_Shape):
    unique_id: str
    status: str | None = None
    execution_time: float | int | None = None
    message: str | None = None
    failures: int | None = None
    timing: list[_Timing] | None = None
    adapter_response: _Obj | None = None


class _RunResults(_Shape):
    results: list[_NodeRun] | None = None
    elapsed_time: float | int | None = None
    args: _Obj | None = None


class _Origin(_Shape):
    type: str | None = None
    ref: str | None = None


class _OwnMeta(_Shape):
    """`meta.pef_gx` of an expectation pef-gx wrote."""

    check_id: str | None = None
    kind: str | None = None
    node_id: str | None = None
    columns: list[str] | None = None
    params: _Obj | None = None
    origin: _Origin | None = None
    dimension: str | None = None
    severity: str | None = None
    level: str | None = None
    where: str | None = None
    warn_if: str | None = None
    error_if: str | None = None
    description: str | None = None


class _ExpectationMeta(_Shape):
    pef_gx: _OwnMeta | None = None


class _SuiteOwnMeta(_Shape):
    node_id: str | None = None


class _SuiteMeta(_Shape):
    pef_gx: _SuiteOwnMeta | None = None


class _Expectation(_Shape):
    type: str | None = None
    expectation_type: str | None = None
    kwargs: _Obj | None = None
    meta: _ExpectationMeta | None = None
    id: str | None = None
    severity: str | None = None
    description: str | None = None


class _Suite(_Shape):
    name: str | None = None
    expectations: list[_Expectation] | None = None
    meta: _SuiteMeta | None = None


class _CheckResult(_Shape):
    check_id: str
    suite: str
    node_id: str
    node_name: str
    columns: list[str] | None = None
    kind: str
    expectation_type: str
    origin_type: str
    origin_ref: str | None = None
    dimension: str
    severity: str
    level: str
    status: str
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | int | None = None
    unexpected_values: list[Any] | None = None
    message: str | None = None
    elapsed_s: float | int | None = None
    engine: str | None = None


class _DbtNodeRun(_Shape):
    unique_id: str
    status: str
    execution_time: float | int
    message: str | None = None
    failures: int | None = None
    rows_affected: int | None = None


class _RelationStats(_Shape):
    node_id: str
    row_count: int | None
    max_timestamp: str | None = None
    timestamp_column: str | None = None


class _ResultsFile(_Shape):
    """What `ValidationRun.to_dict` writes (pef_gx.results.model)."""

    run_id: str
    project: str
    target_name: str
    target_type: str
    schema_: str = Field(alias="schema")
    command: str
    started_at: str
    finished_at: str
    elapsed_s: float | int
    checks: list[_CheckResult] | None = None
    dbt_invocation_id: str | None = None
    dbt_elapsed_s: float | int | None = None
    dbt_nodes: list[_DbtNodeRun] | None = None
    relations: list[_RelationStats] | None = None
    data_docs_index: str | None = None
    phases: dict[str, float | int] | None = None
    schema_version: int | None = None


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(shape: Any) -> TypeAdapter[Any]:
    key = getattr(shape, "__name__", repr(shape))
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        adapter = _ADAPTERS[key] = TypeAdapter(shape)
    return adapter


_EXPECTED = {
    "dict_type": "an object",
    "model_type": "an object",
    "list_type": "a list",
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "float_type": "a number",
    "missing": "present",
}


def json_path(loc: Sequence[Any]) -> str:
    """('nodes', 'model.a.b', 'columns') -> nodes["model.a.b"].columns"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).isidentifier():
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out or "(top level)"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _describe(error: Mapping[str, Any], prefix: Sequence[Any]) -> str:
    loc = [*prefix, *(p for p in error["loc"] if not _is_union_tag(p))]
    if error["type"] == "missing":
        return f"{json_path(loc)} is missing"
    wanted = _EXPECTED.get(error["type"], error["msg"].lower())
    return f"{json_path(loc)} is {_kind(error.get('input'))}, expected {wanted}"


def _is_union_tag(part: Any) -> bool:
    """pydantic names the union member it tried (`str`, `dict[str,any]`, `_Column`): not a JSON key."""
    return isinstance(part, str) and (
        part in ("str", "int", "float", "bool", "none") or "[" in part or part.startswith("_")
    )


def check(
    shape: Any,
    data: Any,
    path: Path,
    fix: str,
    prefix: Sequence[Any] = (),
    error: type[PefGxError] = ArtifactError,
) -> Any:
    """Validate `data` against `shape`; raise `error` naming the file and the first bad field."""
    try:
        return _adapter(shape).validate_python(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise error(f"{path}: {_describe(first, prefix)}", fix) from None
    except RecursionError:
        raise error(f"{path}: nested too deeply to read", fix) from None


def check_manifest_top(data: Any, path: Path) -> None:
    check(_ManifestTop, data, path, _MANIFEST_FIX)


def check_node(raw: Any, key: str, section: str, path: Path) -> None:
    """One entry of `nodes`/`sources`, checked by its kind (other kinds are not read: not checked)."""
    if not isinstance(raw, dict):
        raise ArtifactError(
            f"{path}: {json_path([section, key])} is {_kind(raw)}, expected an object", _MANIFEST_FIX
        )
    kind = raw.get("resource_type")
    if kind == "test":
        check(_Test, raw, path, _MANIFEST_FIX, (section, key))
    elif kind in ("model", "seed", "snapshot", "source") or section == "sources":
        check(_Checkable, raw, path, _MANIFEST_FIX, (section, key))


def check_catalog(data: Any, path: Path) -> None:
    check(_Catalog, data, path, "run `dbt docs generate` again to rewrite it, or delete it")


def check_run_results(data: Any, path: Path) -> None:
    check(_RunResults, data, path, "run `dbt build` again to rewrite it")


def check_suite(data: Any, path: Path, error: type[PefGxError]) -> None:
    check(_Suite, data, path, "fix the file, or delete it and run `pef-gx generate`", error=error)


def check_results(data: Any, path: Path, error: type[PefGxError] = ArtifactError) -> None:
    check(
        _ResultsFile,
        data,
        path,
        "run `pef-gx checkpoint` (or `pef-gx build`) again to rewrite it",
        error=error,
    )


_MANIFEST_FIX = "run `dbt parse` again to rewrite it"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (numbers must be finite)")


def loads_strict(text: str | bytes) -> Any:
    """json.loads that refuses NaN/Infinity; RecursionError stays for the caller to report."""
    return json.loads(text, parse_constant=_no_constant)


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
