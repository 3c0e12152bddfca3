"""The reverse direction: what is already in suites/ and must survive regeneration.

- Expectations pef-gx generated from dbt (origin dbt_test, constraint, freshness) are dropped: they are
  regenerated from the manifest.
- Inferred expectations are kept as CheckSpecs (the accepted proposals) unless inference runs again;
  expectations `pef-gx ask` wrote (origin natural_language) are kept as CheckSpecs too.
- Hand-written expectations (no `meta.pef_gx`, or origin hand_written) are kept exactly as written, and
  described as CheckSpecs so they can be expressed as dbt tests when a dbt counterpart exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Manifest
from pef_gx.checks import catalog, custom_tests
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.errors import SuiteError
from pef_gx.writers.gx_suite import KeptExpectation, expectation_id

_GENERATED = {
    OriginType.DBT_TEST.value,
    OriginType.CONSTRAINT.value,
    OriginType.FRESHNESS.value,
    OriginType.META.value,  # the custom tests a model's meta declares
}


@dataclass
class ExistingSuites:
    files: dict[str, Path] = field(default_factory=dict)  # node_id -> suite file
    texts: dict[Path, str] = field(default_factory=dict)  # every suite file's current text
    parsed: dict[Path, Any] = field(default_factory=dict)  # ... and its parsed JSON
    hand_written: dict[str, list[KeptExpectation]] = field(default_factory=dict)
    inferred: dict[str, list[CheckSpec]] = field(default_factory=dict)
    natural_language: dict[str, list[CheckSpec]] = field(default_factory=dict)  # written by `pef-gx ask`
    unattached: list[Path] = field(default_factory=list)  # suites of no known node (left alone)


def _severity(expectation: dict[str, Any], own: dict[str, Any]) -> Severity:
    if own.get("severity") in ("warn", "error"):
        return Severity(own["severity"])
    return Severity.ERROR if str(expectation.get("severity") or "critical") == "critical" else Severity.WARN


def _spec_from_meta(own: dict[str, Any]) -> CheckSpec:
    origin = own.get("origin") or {}
    return CheckSpec(
        node_id=str(own["node_id"]),
        kind=str(own["kind"]),
        columns=tuple(own.get("columns") or ()),
        params=own.get("params") or {},
        dimension=catalog.dimension_for(str(own["kind"]), {"quality_dimension": own.get("dimension")}),
        severity=Severity(own.get("severity") or "error"),
        origin=Origin(OriginType(origin.get("type") or "inferred"), origin.get("ref")),
        where=own.get("where"),
        warn_if=str(own.get("warn_if") or "!=0"),
        error_if=str(own.get("error_if") or "!=0"),
        description=own.get("description"),
    )


def hand_written_spec(node_id: str, expectation: dict[str, Any], ref: str) -> CheckSpec:
    gx_type = str(expectation.get("type") or "")
    kwargs = expectation.get("kwargs") or {}
    kind, columns, params = catalog.from_gx(gx_type, kwargs)
    user_meta = {k: v for k, v in (expectation.get("meta") or {}).items() if k != "pef_gx"}
    return CheckSpec(
        node_id=node_id,
        kind=kind,
        columns=columns,
        params=params,
        dimension=custom_tests.dimension_of(kind, params)
        if kind in custom_tests.GX_TYPES
        else catalog.dimension_for(kind, user_meta, gx_type=gx_type),
        severity=_severity(expectation, {}),
        origin=Origin(OriginType.HAND_WRITTEN, ref),
        description=expectation.get("description"),
    )


def read_suites(folder: Path, manifest: Manifest) -> ExistingSuites:
    found = ExistingSuites()
    if not folder.is_dir():
        return found
    by_suite_name = {node.suite_name: node.unique_id for node in manifest.nodes.values()}
    for path in sorted(folder.glob("*.json")):
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, ValueError) as exc:
            raise SuiteError(f"suite {path} is not readable JSON ({exc})", "fix or delete the file") from None
        if not isinstance(data, dict) or not isinstance(data.get("expectations", []), list):
            raise SuiteError(f"{path} is not a GX expectation suite", "fix or delete the file")
        found.texts[path] = text
        found.parsed[path] = data
        suite_meta = (data.get("meta") or {}).get("pef_gx") or {}
        node_id = suite_meta.get("node_id") or by_suite_name.get(str(data.get("name") or path.stem))
        if not node_id or node_id not in manifest.nodes:
            found.unattached.append(path)
            continue
        found.files[node_id] = path
        for index, expectation in enumerate(data.get("expectations") or []):
            if not isinstance(expectation, dict) or not expectation.get("type"):
                raise SuiteError(f"{path}: expectation {index} has no type", "fix or delete it")
            own = (expectation.get("meta") or {}).get("pef_gx") or {}
            origin = str((own.get("origin") or {}).get("type") or "")
            if origin in _GENERATED:
                continue
            if origin == OriginType.INFERRED.value:
                found.inferred.setdefault(node_id, []).append(_spec_from_meta(own))
                continue
            if origin == OriginType.NATURAL_LANGUAGE.value and own.get("kind") in catalog.KINDS:
                found.natural_language.setdefault(node_id, []).append(_spec_from_meta(own))
                continue
            spec = hand_written_spec(node_id, expectation, "")
            ident = expectation.get("id") or expectation_id(spec.check_id, ":hand_written")
            spec = replace(spec, origin=Origin(OriginType.HAND_WRITTEN, f"{path.name}#{ident}"))
            found.hand_written.setdefault(node_id, []).append(KeptExpectation(expectation, spec))
    return found
