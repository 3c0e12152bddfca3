"""CheckSpecs from the custom tests a model declares in its meta: quality score, build time, query time.

The declaration (`meta: {pef_gx: {quality_score: ..., build_time: ..., query_time: [...]}}`, in `meta`
or `config.meta`) is the source of truth, like a dbt test: regeneration rewrites the suite's copies
(origin `meta`) from it. A declaration that cannot be read is a ConfigError naming the model and key
(exit 2, nothing written). See pef_gx.checks.custom_tests for the format.

dbt renders Jinja in `meta` when it parses the project, and `{{ this }}` renders to an empty string
there, so a query-time test's SQL in the manifest has lost its relation. The declaration is therefore
read from the node's properties YAML as written (unrendered) when the node has one that declares it,
else from the manifest (where a query must then name no Jinja at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Manifest, Node
from pef_gx.checks import custom_tests
from pef_gx.errors import ConfigError
from pef_gx.generators.base import Generated

_SECTIONS = {"model": "models", "seed": "seeds", "snapshot": "snapshots"}


def from_model_meta(
    manifest: Manifest, node_ids: Iterable[str], project_dir: Path | None = None
) -> Generated:
    out = Generated()
    files: dict[Path, Any] = {}

    def ref(name: str) -> str | None:
        node = manifest.ref(name)
        return node.unique_id if node else None

    for node_id in sorted(set(node_ids)):
        node = manifest.nodes.get(node_id)
        if node is None or not custom_tests.declaration(node.meta):
            continue
        meta = _as_written(node, project_dir, files) or node.meta
        label = f"{node.resource_type} {node.name} ({node.properties_file or node.original_file_path})"
        out.specs.extend(custom_tests.parse_declaration(node_id, meta, ref, label))
    return out


def _as_written(node: Node, project_dir: Path | None, files: dict[Path, Any]) -> Mapping[str, Any] | None:
    """{"pef_gx": {...}} from the node's properties file as written, or None when it is not there."""
    section = _SECTIONS.get(node.resource_type)
    if project_dir is None or section is None or not node.properties_file:
        return None
    path = (project_dir / node.properties_file).resolve()
    if not path.is_relative_to(project_dir.resolve()) or not path.is_file():
        return None  # names from a manifest are untrusted: read nothing outside the project
    if path not in files:
        import yaml

        try:
            files[path] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(
                f"cannot read {path}: {str(exc).splitlines()[0][:150]}", "fix the file"
            ) from None
    data = files[path]
    entries = data.get(section) if isinstance(data, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or entry.get("name") != node.name:
            continue
        merged: dict[str, Any] = {}
        for meta in (entry.get("meta"), (entry.get("config") or {}).get("meta")):
            own = meta.get("pef_gx") if isinstance(meta, Mapping) else None
            if isinstance(own, Mapping):
                merged.update(own)
        declared = custom_tests.declaration({"pef_gx": merged})
        return {"pef_gx": declared} if declared else None
    return None
