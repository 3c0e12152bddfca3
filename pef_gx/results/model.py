"""The results file: one JSON document per validation run. Scoring and observability read only this.

Schema (version 1) is documented in the README ("Results file"). Keep `to_dict`/`from_dict` the only
place that knows the JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

RESULTS_SCHEMA_VERSION = 1
STALE = "stale"


def _shallow(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, without `asdict`'s deep copy (a run of 3,000 checks wrote its
    results in seconds that way); callers turn nested values into JSON shapes themselves."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass(frozen=True)
class CheckResult:
    check_id: str  # = CheckSpec.check_id
    suite: str  # GX suite name (file suites/<suite>.json)
    node_id: str  # dbt unique_id of the checked node
    node_name: str
    columns: tuple[str, ...]
    kind: str  # neutral check kind (catalog)
    expectation_type: str  # GX expectation type, e.g. expect_column_values_to_not_be_null
    origin_type: str  # dbt_test | constraint | freshness | inferred | hand_written | natural_language
    origin_ref: str | None  # dbt unique_id of the test, ...
    dimension: str
    severity: str  # error | warn
    level: str  # row (scored by unexpected share) | table (1 or 0)
    # pass | warn | fail | error (the check could not run, e.g. missing table) | stale (not validated: dbt
    # did not rebuild the relation in the invocation the run follows; `message` says why)
    status: str
    element_count: int | None = None  # rows evaluated
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    unexpected_values: tuple[Any, ...] = ()  # a few, only when failing
    message: str | None = None
    elapsed_s: float | None = None
    observed: float | None = None  # what a quality-score / performance test measured (score, s, ms)
    engine: str | None = None  # what ran the check: "compiled" (pef-gx's SQL) or "gx" (GX's own execution)

    @property
    def success(self) -> bool:
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        data = _shallow(self)
        data["columns"] = list(self.columns)
        data["unexpected_values"] = list(self.unexpected_values)
        data["success"] = self.success
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["columns"] = tuple(known.get("columns") or ())
        known["unexpected_values"] = tuple(known.get("unexpected_values") or ())
        return cls(**known)


@dataclass(frozen=True)
class DbtNodeRun:
    """dbt's own result for one node of the same build (from run_results.json)."""

    unique_id: str
    status: str
    execution_time: float
    message: str | None = None
    failures: int | None = None
    rows_affected: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return _shallow(self)


@dataclass(frozen=True)
class RelationStats:
    """Observed facts about one built relation (for volume and freshness history)."""

    node_id: str
    row_count: int | None
    max_timestamp: str | None = None  # ISO-8601, of the node's freshness/recency column when known
    timestamp_column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _shallow(self)


@dataclass
class ValidationRun:
    run_id: str
    project: str  # dbt project name
    target_name: str
    target_type: str  # duckdb | postgres
    schema: str
    command: str  # build | checkpoint
    started_at: str  # ISO-8601 UTC
    finished_at: str
    elapsed_s: float
    checks: list[CheckResult] = field(default_factory=list)
    dbt_invocation_id: str | None = None
    dbt_elapsed_s: float | None = None
    dbt_nodes: list[DbtNodeRun] = field(default_factory=list)
    relations: list[RelationStats] = field(default_factory=list)
    data_docs_index: str | None = None
    # seconds per phase of the checkpoint: "validation" (first query to last verdict), "gx_import" (spent
    # waiting for GX, not overlapped), "data_docs"
    phases: dict[str, float] = field(default_factory=dict)
    schema_version: int = RESULTS_SCHEMA_VERSION

    @property
    def stale_checks(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == STALE]

    @property
    def validated_checks(self) -> list[CheckResult]:
        """Checks that ran against current data (not stale, not skipped)."""
        return [c for c in self.checks if c.status not in (STALE, "skipped")]

    @property
    def stale_nodes(self) -> dict[str, str]:
        """node_id -> why it is stale, for every node whose checks are stale."""
        return {c.node_id: c.message or "not rebuilt" for c in self.checks if c.status == STALE}

    @property
    def failed_errors(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status in ("fail", "error") and c.severity == "error"]

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in _shallow(self).items() if k not in ("checks", "dbt_nodes", "relations")}
        data["phases"] = dict(self.phases)
        data["checks"] = [c.to_dict() for c in self.checks]
        data["dbt_nodes"] = [n.to_dict() for n in self.dbt_nodes]
        data["relations"] = [r.to_dict() for r in self.relations]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationRun:
        fields_ = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields_["checks"] = [CheckResult.from_dict(c) for c in data.get("checks") or []]
        fields_["dbt_nodes"] = [DbtNodeRun(**n) for n in data.get("dbt_nodes") or []]
        fields_["relations"] = [RelationStats(**r) for r in data.get("relations") or []]
        return cls(**fields_)
