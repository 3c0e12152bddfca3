"""dbt's manifest.json and catalog.json, typed: only the fields pef-gx uses.

`read_manifest(path)` gates the version (v10 to v12) and returns a `Manifest` of checkable nodes (models,
seeds, snapshots, sources) and data tests. `read_catalog(path)` returns column types by node. Node
selection with dbt's own syntax is done by the runner (it calls `dbt ls`, see pef_gx.runner.generate) and
handed down here as a set of unique_ids; `closest_names` builds the "did you mean" for a miss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts import shapes
from pef_gx.artifacts.json_artifact import load_artifact
from pef_gx.errors import did_you_mean

MANIFEST_VERSIONS = range(10, 13)
CHECKABLE_TYPES = ("model", "seed", "snapshot", "source")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str | None = None
    constraints: tuple[Mapping[str, Any], ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    quote: bool | None = None


@dataclass(frozen=True)
class Node:
    """A model, seed, snapshot or source: something with a relation that checks run against."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str
    identifier: str  # alias (models, seeds, snapshots) or identifier (sources): the table name
    database: str | None
    schema: str | None
    relation_name: str | None
    columns: Mapping[str, Column]
    meta: Mapping[str, Any]
    tags: tuple[str, ...]
    original_file_path: str
    patch_path: str | None  # "pkg://models/x.yml": the properties file, when the node has one
    contract_enforced: bool = False
    constraints: tuple[Mapping[str, Any], ...] = ()  # model-level constraints
    primary_key: tuple[str, ...] = ()
    source_name: str | None = None
    loaded_at_field: str | None = None
    freshness: Mapping[str, Any] | None = None  # {warn_after, error_after, filter}
    depends_on: tuple[str, ...] = ()  # parent unique_ids (depends_on.nodes)

    @property
    def properties_file(self) -> str | None:
        """The YAML file that describes this node, relative to the project (None when there is none)."""
        if self.resource_type == "source":
            return self.original_file_path
        if self.patch_path:
            return self.patch_path.split("://", 1)[-1]
        return None

    @property
    def suite_name(self) -> str:
        """Name of the node's GX suite (and file stem under suites/)."""
        if self.resource_type == "source":
            return f"source__{self.source_name}__{self.name}"
        return self.name if self.resource_type == "model" else f"{self.resource_type}__{self.name}"


@dataclass(frozen=True)
class DataTest:
    """A dbt data test: generic (`test_name` set) or singular (`test_name` None)."""

    unique_id: str
    name: str
    test_name: str | None
    namespace: str | None
    kwargs: Mapping[str, Any]
    column_name: str | None
    attached_node: str | None
    depends_on: tuple[str, ...]
    severity: str  # "error" | "warn"
    where: str | None
    warn_if: str
    error_if: str
    meta: Mapping[str, Any]
    raw_code: str
    compiled_code: str | None
    original_file_path: str
    description: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.test_name}" if self.namespace else str(self.test_name)

    @property
    def node_id(self) -> str | None:
        """The node the test checks: attached_node, else (source tests, singular tests) its first parent."""
        if self.attached_node:
            return self.attached_node
        return self.depends_on[0] if self.depends_on else None


@dataclass
class Manifest:
    path: Path
    schema_version: int
    project_name: str
    adapter_type: str
    dbt_version: str
    nodes: dict[str, Node]
    tests: dict[str, DataTest]

    def by_name(self) -> dict[str, list[str]]:
        """Readable name (and `source.table`) -> unique_ids, for lookups and 'did you mean'."""
        cached = self.__dict__.get("_by_name")
        if cached is not None and cached[0] == len(self.nodes):
            return cached[1]
        index: dict[str, list[str]] = {}
        for node in self.nodes.values():
            index.setdefault(node.name, []).append(node.unique_id)
            if node.source_name:
                index.setdefault(f"{node.source_name}.{node.name}", []).append(node.unique_id)
        self.__dict__["_by_name"] = (len(self.nodes), index)
        return index

    def ancestors(self, unique_id: str) -> set[str]:
        """Every node `unique_id` depends on, directly or not."""
        seen: set[str] = set()
        stack = list(self.nodes[unique_id].depends_on) if unique_id in self.nodes else []
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                node = self.nodes.get(parent)
                stack.extend(node.depends_on if node else ())
        return seen

    def ref(self, name: str, package: str | None = None) -> Node | None:
        """The node `ref(name)` (or `source(a, b)` as 'a.b') points to, if unique."""
        for unique_id in self.by_name().get(name, []):
            node = self.nodes[unique_id]
            if package is None or node.package_name == package:
                return node
        return None


def _severity(config: Mapping[str, Any]) -> str:
    return "warn" if str(config.get("severity") or "error").lower() == "warn" else "error"


def unquote(name: str | None) -> tuple[str | None, bool]:
    """dbt writes a column with `quote: true` as `"select"`: (the real name, whether it was quoted)."""
    if name and len(name) > 1 and name[0] == name[-1] and name[0] in '"`':
        return name[1:-1].replace(name[0] * 2, name[0]), True
    return name, False


def _columns(raw: Mapping[str, Any] | None) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for key, col in (raw or {}).items():
        meta = dict(col.get("meta") or {})
        meta.update((col.get("config") or {}).get("meta") or {})
        name, quoted = unquote(str(col.get("name") or key))
        columns[unquote(key)[0] or key] = Column(
            name=name or key,
            data_type=col.get("data_type"),
            constraints=tuple(col.get("constraints") or ()),
            meta=meta,
            quote=True if quoted else col.get("quote"),
        )
    return columns


def _node(raw: Mapping[str, Any]) -> Node:
    config = raw.get("config") or {}
    meta = dict(raw.get("meta") or {})
    meta.update(config.get("meta") or {})
    is_source = raw["resource_type"] == "source"
    contract = config.get("contract") or raw.get("contract") or {}
    return Node(
        unique_id=raw["unique_id"],
        resource_type=raw["resource_type"],
        name=raw["name"],
        package_name=raw.get("package_name") or "",
        identifier=(raw.get("identifier") if is_source else raw.get("alias")) or raw["name"],
        database=raw.get("database"),
        schema=raw.get("schema"),
        relation_name=raw.get("relation_name"),
        columns=_columns(raw.get("columns")),
        meta=meta,
        tags=tuple(raw.get("tags") or ()),
        original_file_path=raw.get("original_file_path") or "",
        patch_path=raw.get("patch_path"),
        contract_enforced=bool(contract.get("enforced")),
        constraints=tuple(raw.get("constraints") or ()),
        primary_key=tuple(raw.get("primary_key") or ()),
        source_name=raw.get("source_name"),
        loaded_at_field=config.get("loaded_at_field") or raw.get("loaded_at_field"),
        freshness=config.get("freshness") or raw.get("freshness"),
        depends_on=tuple((raw.get("depends_on") or {}).get("nodes") or ()),
    )


def _unquoted_kwargs(kwargs: Mapping[str, Any]) -> Mapping[str, Any]:
    """A test's kwargs with its column named as in the table (`"select"` -> `select`)."""
    column = kwargs.get("column_name")
    if isinstance(column, str) and unquote(column)[1]:
        return {**kwargs, "column_name": unquote(column)[0]}
    return kwargs


def _test(raw: Mapping[str, Any]) -> DataTest:
    config = raw.get("config") or {}
    metadata = raw.get("test_metadata") or {}
    meta = dict(raw.get("meta") or {})
    meta.update(config.get("meta") or {})
    return DataTest(
        unique_id=raw["unique_id"],
        name=raw.get("name") or raw["unique_id"],
        test_name=metadata.get("name"),
        namespace=metadata.get("namespace"),
        kwargs=_unquoted_kwargs(metadata.get("kwargs") or {}),
        column_name=unquote(raw.get("column_name"))[0],
        attached_node=raw.get("attached_node"),
        depends_on=tuple((raw.get("depends_on") or {}).get("nodes") or ()),
        severity=_severity(config),
        where=config.get("where"),
        warn_if=str(config.get("warn_if") or "!= 0"),
        error_if=str(config.get("error_if") or "!= 0"),
        meta=meta,
        raw_code=raw.get("raw_code") or "",
        compiled_code=raw.get("compiled_code"),
        original_file_path=raw.get("original_file_path") or "",
        description=raw.get("description") or None,
    )


def read_manifest(path: Path) -> Manifest:
    """Read target/manifest.json (v10 to v12); ArtifactError (exit 2) when missing, corrupt or unsupported."""
    data = load_artifact(path, "manifest", MANIFEST_VERSIONS, "dbt parse")
    shapes.check_manifest_top(data, path)
    metadata = data["metadata"]
    version = int(str(metadata["dbt_schema_version"]).rsplit("/v", 1)[1].split(".")[0])
    nodes: dict[str, Node] = {}
    tests: dict[str, DataTest] = {}
    for key, raw in (data.get("nodes") or {}).items():
        shapes.check_node(raw, key, "nodes", path)  # each node as it is read: only the kinds used
        kind = raw.get("resource_type")
        if kind == "test":
            tests[raw["unique_id"]] = _test(raw)
        elif kind in CHECKABLE_TYPES:
            nodes[raw["unique_id"]] = _node(raw)
    for key, raw in (data.get("sources") or {}).items():
        shapes.check_node(raw, key, "sources", path)
        nodes[raw["unique_id"]] = _node(raw)
    return Manifest(
        path=path,
        schema_version=version,
        project_name=str(metadata.get("project_name") or ""),
        adapter_type=str(metadata.get("adapter_type") or ""),
        dbt_version=str(metadata.get("dbt_version") or ""),
        nodes=nodes,
        tests=tests,
    )


def read_catalog(path: Path) -> dict[str, dict[str, str]]:
    """catalog.json -> {unique_id: {column name: warehouse type}}; empty when the file is absent."""
    if not path.is_file():
        return {}
    data = load_artifact(path, "catalog", range(1, 2), "dbt docs generate")
    shapes.check_catalog(data, path)
    types: dict[str, dict[str, str]] = {}
    for section in ("nodes", "sources"):
        for unique_id, entry in (data.get(section) or {}).items():
            types[unique_id] = {
                str(col.get("name") or name): str(col.get("type") or "")
                for name, col in (entry.get("columns") or {}).items()
            }
    return types


def closest_names(manifest: Manifest, word: str) -> str | None:
    """A 'did you mean' for a selector that names no node."""
    bare = word.lstrip("+@").rstrip("+").split(":")[-1]
    return did_you_mean(bare, manifest.by_name())


def restrict(manifest: Manifest, unique_ids: Iterable[str] | None) -> list[Node]:
    """The checkable nodes in `unique_ids` (all of them when None), sorted by unique_id."""
    if unique_ids is None:
        return sorted(manifest.nodes.values(), key=lambda n: n.unique_id)
    wanted = set(unique_ids)
    return sorted((n for n in manifest.nodes.values() if n.unique_id in wanted), key=lambda n: n.unique_id)
