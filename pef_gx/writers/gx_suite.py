"""GX expectation suites as JSON, in the format GX 1.24 itself reads and writes (its file store).

One suite per node: `{"name", "id", "expectations": [{"type", "kwargs", "meta", "id", "severity"}],
"meta", "notes"}`, keys sorted, ids uuid5 of content, no timestamps. Every expectation's `meta.pef_gx`
says what it checks and where it came from (see `expectation_meta`); the suite's `meta.pef_gx` says which
dbt node it belongs to, so validation can find the relation in the current target's manifest.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pef_gx.artifacts.manifest import Node
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec

NAMESPACE = uuid.UUID("5d1c8a0e-3f8b-4c1e-9a53-7f2f6c0b9e11")  # pef-gx's uuid5 namespace
SUITE_FORMAT = 1


@dataclass(frozen=True)
class KeptExpectation:
    """A hand-written expectation, kept as its author wrote it; `spec` describes it for pef-gx."""

    expectation: Mapping[str, Any]
    spec: CheckSpec


def expectation_id(check_id: str, salt: str = "") -> str:
    return str(uuid.uuid5(NAMESPACE, f"expectation:{check_id}{salt}"))


def expectation_meta(spec: CheckSpec, gx_type: str, check_id: str | None = None) -> dict[str, Any]:
    return {
        "check_id": check_id or spec.check_id,
        "kind": spec.kind,
        "node_id": spec.node_id,
        "columns": list(spec.columns),
        "params": _jsonable(dict(spec.params)),
        "origin": spec.origin.to_dict(),
        "dimension": spec.dimension,
        "severity": spec.severity.value,
        "level": catalog.level_of(spec),
        "where": spec.where,
        "where_in_query": gx_type == catalog.UNEXPECTED_ROWS,
        "warn_if": spec.warn_if,
        "error_if": spec.error_if,
        "description": spec.description,
    }


def _jsonable(value: Any) -> Any:
    """JSON-ready copy: mappings with string keys, lists for tuples, str() for anything exotic."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def node_meta(node: Node) -> dict[str, Any]:
    quoted = sorted(c.name for c in node.columns.values() if c.quote)
    return {
        **({"quoted_columns": quoted} if quoted else {}),  # dbt `quote: true`: names as in the table
        "node_id": node.unique_id,
        "resource_type": node.resource_type,
        "name": node.name,
        "identifier": node.identifier,
        "source_name": node.source_name,
        "package_name": node.package_name,
        "generated_by": "pef-gx generate",
        "format": SUITE_FORMAT,
    }


def build_suite(
    node: Node,
    specs: Sequence[CheckSpec],
    kept: Sequence[KeptExpectation] = (),
    key_columns: Sequence[str] = (),
    extra_meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    quoting = {name: col.quote for name, col in node.columns.items()}
    rows: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for spec in specs:
        check_id = spec.check_id
        gx_type, kwargs = catalog.gx_expectation(spec, quoting, key_columns)
        expectation = {
            "type": gx_type,
            "kwargs": _jsonable({k: v for k, v in kwargs.items() if v is not None}),
            "meta": {"pef_gx": expectation_meta(spec, gx_type, check_id)},
            "id": expectation_id(check_id),
            "severity": spec.severity.gx,
        }
        if spec.description:
            expectation["description"] = spec.description[:500]
        rows.append((_order(spec, check_id), expectation))
    for item in kept:
        expectation = _jsonable(dict(item.expectation))
        meta = dict(expectation.get("meta") or {})
        meta["pef_gx"] = expectation_meta(item.spec, str(expectation.get("type")))
        expectation["meta"] = meta
        expectation.setdefault("id", expectation_id(item.spec.check_id, ":hand_written"))
        expectation.setdefault("severity", item.spec.severity.gx)
        rows.append((_order(item.spec), expectation))
    rows.sort(key=lambda r: r[0])
    meta: dict[str, Any] = {"pef_gx": node_meta(node)}
    if extra_meta:
        meta.update(extra_meta)
    return {
        "name": node.suite_name,
        "id": str(uuid.uuid5(NAMESPACE, f"suite:{node.unique_id}")),
        "expectations": [e for _, e in rows],
        "meta": meta,
        "notes": None,
    }


def _order(spec: CheckSpec, check_id: str | None = None) -> tuple[Any, ...]:
    return (
        len(spec.columns) > 0,
        list(spec.columns),
        spec.kind,
        spec.origin.type.value,
        check_id or spec.check_id,
    )


def order_key(expectation: Mapping[str, Any]) -> tuple[Any, ...]:
    """Where an expectation goes in a suite (the order `build_suite` writes): table-level checks first,
    then by columns, kind, origin and check_id, all read from its `meta.pef_gx`."""
    own = (expectation.get("meta") or {}).get("pef_gx") or {}
    columns = list(own.get("columns") or [])
    origin = (own.get("origin") or {}).get("type") or ""
    return (
        len(columns) > 0,
        columns,
        str(own.get("kind") or ""),
        str(origin),
        str(own.get("check_id") or ""),
    )


def sorted_expectations(expectations: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Expectations in suite order: add new ones to a suite with this and a later `generate` is a zero diff."""
    return sorted(expectations, key=order_key)


def dumps(suite: Mapping[str, Any]) -> str:
    """The file text: GX's own layout (indent 2, sorted keys), UTF-8, newline at the end.

    Byte for byte what `json.dumps(suite, indent=2, sort_keys=True, ensure_ascii=False)` writes, but
    several times faster (the standard library's indenting encoder is pure Python).
    """
    parts: list[str] = []
    _pretty(suite, "", parts)
    parts.append("\n")
    return "".join(parts)


_encode_str = json.encoder.encode_basestring  # type: ignore[attr-defined]
_float_repr = float.__repr__


def _pretty(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_str(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value, allow_nan=False))  # suites are strict JSON: no NaN/Infinity
    elif type(value) is dict or isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        first = True
        for key in sorted(value):
            if not first:
                out.append(",\n")
            first = False
            out.append(inner)
            out.append(_encode_str(str(key)))
            out.append(": ")
            _pretty(value[key], inner, out)
        out.append("\n" + indent + "}")
    elif type(value) is list or isinstance(value, tuple):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for i, item in enumerate(value):
            if i:
                out.append(",\n")
            out.append(inner)
            _pretty(item, inner, out)
        out.append("\n" + indent + "]")
    else:
        out.append(_encode_str(str(value)))


def why_unwritable(spec: CheckSpec) -> str | None:
    """Why a check cannot be written as an expectation (None: it can): a column check without a column,
    or a bound that is not a finite number (NaN/Infinity are not JSON, and not a bound)."""
    if spec.kind in _COLUMN_KINDS and not all(isinstance(c, str) and c for c in spec.columns[:1] or [None]):
        return f"{spec.kind} needs a column and the test names none (column_name is empty)"
    bad = _non_finite(spec.params)
    if bad:
        return f"{bad} is not a finite number"
    return None


_COLUMN_KINDS = frozenset(
    {"not_null", "unique", "accepted_values", "accepted_range", "relationships", "not_null_proportion",
     "match_regex", "data_type", "column_type", "recency", "freshness", "sequential_values",
     "unique_combination"}
)  # fmt: skip


def _non_finite(value: Any, where: str = "") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where or 'a parameter'} ({value})"
    if isinstance(value, Mapping):
        return next((b for k, v in value.items() if (b := _non_finite(v, f"{where}{k}"))), None)
    if isinstance(value, (list, tuple)):
        return next((b for i, v in enumerate(value) if (b := _non_finite(v, f"{where}[{i}]"))), None)
    return None


def looks_canonical(text: str) -> bool:
    """A cheap test that `text` is in the layout `dumps` writes (sorted keys, indent 2, final newline)."""
    return (
        text.startswith('{\n  "expectations": ')
        and text.endswith("\n}\n")
        and "\n    {\n      " in text[:200]
    )
