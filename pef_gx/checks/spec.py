"""CheckSpec: one neutral record per check, whatever produced it and whichever form it is written in.

Generators produce CheckSpecs; the suite writer and the YAML writer render them; validation runs them
and reports a CheckResult (pef_gx.results.model) per CheckSpec, carrying the same check_id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

DIMENSIONS = ("completeness", "uniqueness", "validity", "consistency", "timeliness", "accuracy")


class Severity(str, Enum):
    ERROR = "error"  # GX "critical"; a failure fails the build (exit 1)
    WARN = "warn"  # GX "warning"; reported, exit 0

    @property
    def gx(self) -> str:
        return "critical" if self is Severity.ERROR else "warning"


class OriginType(str, Enum):
    DBT_TEST = "dbt_test"  # a generic or singular dbt data test (ref = its unique_id)
    CONSTRAINT = "constraint"  # a model contract: data type or constraint (ref = model id + constraint)
    FRESHNESS = "freshness"  # source freshness (ref = source unique_id)
    INFERRED = "inferred"  # proposed by profiling the data
    HAND_WRITTEN = "hand_written"  # written by a person in a GX suite
    NATURAL_LANGUAGE = "natural_language"  # from a plain-English request
    META = "meta"  # declared in a model's `meta: {pef_gx: ...}` (quality score, build time, query time)


@dataclass(frozen=True)
class Origin:
    type: OriginType
    ref: str | None = None  # dbt unique_id, constraint name, ... None for inferred

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type.value, "ref": self.ref}


@dataclass(frozen=True)
class CheckSpec:
    """One check on one dbt node.

    `kind` is a neutral name from the catalog (pef_gx.checks.catalog), e.g. "not_null", "accepted_values",
    "relationships", "accepted_range", "unexpected_rows". `params` are the kind's arguments in neutral form
    (JSON-serialisable). `where` filters the rows checked (dbt's `where:` config).
    warn_if / error_if are dbt's thresholds on the failure count (strings like ">0", "!=0", ">=10").
    """

    node_id: str
    kind: str
    columns: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    dimension: str = "validity"
    severity: Severity = Severity.ERROR
    origin: Origin = Origin(OriginType.INFERRED)
    where: str | None = None
    warn_if: str = "!=0"
    error_if: str = "!=0"
    description: str | None = None

    @property
    def check_id(self) -> str:
        """Stable id derived from what the check checks (not from where it came from)."""
        payload = json.dumps(
            [self.node_id, self.kind, list(self.columns), self.params, self.where],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def column(self) -> str | None:
        return self.columns[0] if len(self.columns) == 1 else None
