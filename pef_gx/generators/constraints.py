"""CheckSpecs from model contracts: data types and the constraints not_null, unique, primary_key,
foreign_key and check (column-level and model-level).

dbt enforces some constraints at build time on some warehouses only; as GX checks they hold everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pef_gx.artifacts.manifest import Manifest, Node
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, Origin, OriginType
from pef_gx.generators.base import Generated, NotMirrored


def _norm_relation(name: str) -> str:
    return name.replace('"', "").replace("`", "").lower()


def _relation_index(manifest: Manifest) -> dict[str, str]:
    index: dict[str, str] = {}
    for node in manifest.nodes.values():
        if node.relation_name:
            index[_norm_relation(node.relation_name)] = node.unique_id
    return index


def _resolve_to(manifest: Manifest, index: dict[str, str], to: str | None) -> str | None:
    if not to:
        return None
    text = str(to).strip()
    if text.startswith(("ref(", "source(")):
        names = [a.strip().strip("'\"") for a in text[text.index("(") + 1 : text.rindex(")")].split(",")]
        node = manifest.ref(".".join(names[-2:]) if text.startswith("source") else names[-1])
        return node.unique_id if node else None
    normalised = _norm_relation(text)
    if normalised in index:
        return index[normalised]
    tail = normalised.split(".")[-1]
    matches = [uid for rel, uid in index.items() if rel.split(".")[-1] == tail]
    return matches[0] if len(matches) == 1 else None


def _specs_for(
    node: Node,
    ctype: str,
    columns: tuple[str, ...],
    constraint: Mapping[str, Any],
    ref: str,
    metas: tuple[Mapping[str, Any], ...],
    manifest: Manifest,
    index: dict[str, str],
) -> tuple[list[CheckSpec], str | None]:
    origin = Origin(OriginType.CONSTRAINT, ref)

    def spec(kind: str, cols: tuple[str, ...], params: dict[str, Any] | None = None) -> CheckSpec:
        return CheckSpec(
            node_id=node.unique_id,
            kind=kind,
            columns=cols,
            params=params or {},
            dimension=catalog.dimension_for(kind, *metas),
            origin=origin,
            description=f"{ctype} constraint",
        )

    if not columns:
        return [], f"{ctype} constraint names no column"
    if ctype == "not_null":
        return [spec("not_null", (c,)) for c in columns], None
    if ctype in ("unique", "primary_key"):
        out = [spec("unique", columns)] if len(columns) == 1 else [spec("unique_combination", columns)]
        if ctype == "primary_key":
            out += [spec("not_null", (c,)) for c in columns]
        return out, None
    if ctype == "foreign_key":
        parent = _resolve_to(manifest, index, constraint.get("to"))
        to_columns = list(constraint.get("to_columns") or [])
        if parent is None or len(columns) != 1 or len(to_columns) > 1:
            return [], "foreign_key constraint: parent relation unknown or more than one column"
        field = to_columns[0] if to_columns else columns[0]
        return [spec("relationships", columns, {"to": parent, "field": field})], None
    if ctype == "check":
        expression = str(constraint.get("expression") or "").strip()
        if not expression:
            return [], "check constraint without expression"
        return [spec("expression_is_true", (), {"expression": expression})], None
    return [], f"constraint type '{ctype}' has no check form"


def from_constraints(manifest: Manifest, node_ids: Iterable[str]) -> Generated:
    out = Generated()
    index = _relation_index(manifest)
    for node_id in sorted(set(node_ids)):
        node = manifest.nodes.get(node_id)
        if node is None:
            continue
        for name, column in node.columns.items():
            metas = (column.meta, node.meta)
            for i, constraint in enumerate(column.constraints):
                ctype = str(constraint.get("type") or "")
                ref = f"{node_id}#{name}.{ctype}"
                specs, why = _specs_for(node, ctype, (name,), constraint, ref, metas, manifest, index)
                out.specs.extend(specs)
                if why:
                    out.not_mirrored.append(NotMirrored(node_id, f"{ref}[{i}]", why))
            if node.contract_enforced and column.data_type:
                out.specs.append(
                    CheckSpec(
                        node_id=node_id,
                        kind="data_type",
                        columns=(name,),
                        params={"type": str(column.data_type)},
                        dimension=catalog.dimension_for("data_type", *metas),
                        origin=Origin(OriginType.CONSTRAINT, f"{node_id}#{name}.data_type"),
                        description="contract data type",
                    )
                )
        for i, constraint in enumerate(node.constraints):
            ctype = str(constraint.get("type") or "")
            cols = tuple(str(c) for c in constraint.get("columns") or ())
            ref = f"{node_id}#{ctype}({','.join(cols)})"
            specs, why = _specs_for(node, ctype, cols, constraint, ref, (node.meta,), manifest, index)
            if ctype == "check" and specs:
                specs = [s for s in specs]
            out.specs.extend(specs)
            if why:
                out.not_mirrored.append(NotMirrored(node_id, f"{ref}[{i}]", why))
    return out
