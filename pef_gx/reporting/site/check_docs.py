"""Check documentation: purpose, what passing means, common failures, remediation, per check kind.

Defaults ship as data (check_docs.yml, one file); a check's own `meta.pef_gx.docs` (a mapping of the same
fields, or a string that replaces `purpose`) and its dbt test's description override them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DOCS_FILE = Path(__file__).with_name("check_docs.yml")


@dataclass(frozen=True)
class CheckDoc:
    purpose: str
    passing: str
    failures: tuple[str, ...]
    remediation: tuple[str, ...]


@lru_cache(maxsize=1)
def default_docs() -> dict[str, CheckDoc]:
    data = yaml.safe_load(DOCS_FILE.read_text(encoding="utf-8"))
    return {kind: _doc(entry) for kind, entry in data.items()}


def _doc(entry: Mapping[str, Any]) -> CheckDoc:
    return CheckDoc(
        str(entry.get("purpose") or ""),
        str(entry.get("passing") or ""),
        tuple(str(x) for x in entry.get("failures") or ()),
        tuple(str(x) for x in entry.get("remediation") or ()),
    )


def doc_for(kind: str, override: Any = None, description: str | None = None) -> CheckDoc:
    """The doc of a check: its kind's default, then the test's description, then `meta.pef_gx.docs`."""
    doc = default_docs().get(kind) or default_docs()["gx_native"]
    if description:
        doc = replace(doc, purpose=description)
    if isinstance(override, str) and override.strip():
        doc = replace(doc, purpose=override.strip())
    elif isinstance(override, Mapping):
        fields = {
            k: (tuple(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v))
            for k, v in override.items()
            if k in CheckDoc.__dataclass_fields__ and v
        }
        for key in ("failures", "remediation"):
            if isinstance(fields.get(key), str):
                fields[key] = (fields[key],)
        doc = replace(doc, **fields)
    return doc
