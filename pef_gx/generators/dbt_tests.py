"""CheckSpecs from the dbt data tests in the manifest (generic and singular).

Generic tests the catalog knows become their kind; a singular test or an unknown generic test becomes an
unexpected-rows check over its SQL, made schema-free: `{{ ref() }}`/`{{ source() }}` calls in the raw SQL
(or, failing that, the relation names in the compiled SQL) are replaced by `{batch}` for the checked node
and `{ref:<unique_id>}` for the others. Tests pef-gx wrote itself (meta `pef_gx.owned`) are skipped: they
mirror checks whose source of truth is a suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pef_gx.artifacts.manifest import DataTest, Manifest
from pef_gx.checks import catalog
from pef_gx.checks import sql_template as sql
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.generators.base import Generated, NotMirrored, is_owned

_Q = r"""\s*(['"])([^'"]+)\1\s*"""
_REF = re.compile(r"\{\{\s*ref\(" + _Q + r"(?:," + _Q.replace(r"\1", r"\3") + r")?\)\s*\}\}")
_SOURCE = re.compile(r"\{\{\s*source\(" + _Q + r"," + _Q.replace(r"\1", r"\3") + r"\)\s*\}\}")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _node_meta(manifest: Manifest, node_id: str, column: str | None) -> tuple[Mapping[str, Any], ...]:
    node = manifest.nodes.get(node_id)
    if node is None:
        return ()
    col = node.columns.get(column) if column else None
    return ((col.meta if col else {}), node.meta)


def _schema_free_sql(test: DataTest, node_id: str, manifest: Manifest) -> tuple[str | None, str]:
    """(GX query template with placeholders, '') or (None, why not).

    Relations are first replaced by sentinels, the rest of the SQL gets its braces doubled (GX formats
    the query with str.format), then the sentinels become `{batch}` / `{ref:<unique_id>}`.
    """
    slots: list[str] = []

    def sentinel(target: Any) -> str:
        if target is None:
            raise LookupError
        slots.append(sql.BATCH if target.unique_id == node_id else sql.ref(target.unique_id))
        return f"\x00{len(slots) - 1}\x00"

    def finish(text: str) -> str | None:
        if sql.BATCH not in slots:
            return None
        text = sql.escape_braces(text.strip().rstrip(";").strip())
        return re.sub("\x00(\\d+)\x00", lambda m: slots[int(m[1])], text)

    raw = _JINJA_COMMENT.sub("", test.raw_code or "")
    if test.test_name is None and raw:
        try:
            text = _REF.sub(lambda m: sentinel(manifest.ref(m[4], m[2]) if m[4] else manifest.ref(m[2])), raw)
            text = _SOURCE.sub(lambda m: sentinel(manifest.ref(f"{m[2]}.{m[4]}")), text)
        except LookupError:
            text = "{{"
        if "{{" not in text and "{%" not in text:
            query = finish(text)
            if query:
                return query, ""
    compiled = test.compiled_code
    if not compiled:
        return None, "its SQL uses Jinja beyond ref()/source() and is not compiled: run `dbt compile` first"
    slots.clear()
    parents = [
        manifest.nodes[d] for d in test.depends_on if d in manifest.nodes and manifest.nodes[d].relation_name
    ]
    text = compiled
    for node in sorted(parents, key=lambda n: -len(n.relation_name or "")):
        assert node.relation_name is not None
        if node.relation_name in text:
            text = text.replace(node.relation_name, sentinel(node))
    query = finish(text)
    if query is None:
        return None, "its compiled SQL does not name the checked relation as the manifest does"
    return query, ""


def from_dbt_tests(manifest: Manifest, node_ids: Iterable[str]) -> Generated:
    wanted = set(node_ids)
    out = Generated()
    for test in sorted(manifest.tests.values(), key=lambda t: t.unique_id):
        node_id = test.node_id
        if node_id not in wanted or is_owned(dict(test.meta)):
            continue
        severity = Severity.WARN if test.severity == "warn" else Severity.ERROR
        common = {
            "node_id": node_id,
            "severity": severity,
            "origin": Origin(OriginType.DBT_TEST, test.unique_id),
            "where": test.where,
            "warn_if": _norm_threshold(test.warn_if),
            "error_if": _norm_threshold(test.error_if),
            "description": test.description,
        }
        kind = catalog.kind_for_dbt_test(test.test_name, test.namespace)
        if kind is not None:
            try:
                columns, params = catalog.dbt_params(kind, test.kwargs, test.column_name, test.test_name)
                if kind.name == "relationships":
                    parent = _parent(test, node_id, manifest)
                    if parent is None:
                        out.not_mirrored.append(
                            NotMirrored(
                                node_id,
                                test.unique_id,
                                f"cannot resolve relationships 'to: {params['to']}' to a node of the manifest",
                            )
                        )
                        continue
                    params = {**params, "to": parent}
                if kind.name == "gx_native" and test.kwargs.get("row_condition"):
                    common["where"] = " and ".join(
                        w for w in (str(test.kwargs["row_condition"]), test.where) if w
                    )
                gx_type = str(params.get("expectation_type")) if kind.name == "gx_native" else None
                dimension = catalog.dimension_for(
                    kind.name, test.meta, *_node_meta(manifest, node_id, test.column_name), gx_type=gx_type
                )
                out.specs.append(
                    CheckSpec(kind=kind.name, columns=columns, params=params, dimension=dimension, **common)
                )
            except (KeyError, TypeError, ValueError) as exc:
                out.not_mirrored.append(
                    NotMirrored(
                        node_id, test.unique_id, f"arguments not understood ({exc.__class__.__name__}: {exc})"
                    )
                )
            continue
        query, why = _schema_free_sql(test, node_id, manifest)
        if query is None:
            out.not_mirrored.append(NotMirrored(node_id, test.unique_id, why))
            continue
        wrapped = f"select * from (\n{query}\n) as pef_gx_test"
        columns = (test.column_name,) if test.column_name else ()
        dimension = catalog.dimension_for("unexpected_rows", test.meta, *_node_meta(manifest, node_id, None))
        out.specs.append(
            CheckSpec(
                kind="unexpected_rows",
                columns=columns,
                params={"query": wrapped, "test": test.qualified_name if test.test_name else "singular"},
                dimension=dimension,
                **common,
            )
        )
    return out


def _norm_threshold(text: str) -> str:
    return re.sub(r"\s+", "", text or "!=0")


def _parent(test: DataTest, node_id: str, manifest: Manifest) -> str | None:
    """The unique_id of a relationships test's `to:` (another parent of the test)."""
    others = [d for d in test.depends_on if d != node_id]
    if len(others) == 1:
        return others[0] if others[0] in manifest.nodes else None  # a parent the manifest lacks
    to = str(test.kwargs.get("to") or "")
    match = re.search(r"(ref|source)\((.*)\)", to)
    if match:
        names = [a.strip().strip("'\"") for a in match[2].split(",")]
        node = manifest.ref(".".join(names[-2:]) if match[1] == "source" else names[-1])
        if node:
            return node.unique_id
    return node_id if not others and to else None
