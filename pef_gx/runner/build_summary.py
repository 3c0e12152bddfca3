"""What a `dbt build` did, summarised for people: the real error lines, skipped nodes under their cause.

dbt's message for a failed model starts with a category line ("Runtime Error in model stg_orders (...)")
that names neither the column nor the relation; the next lines do (DuckDB's "Binder Error: Referenced
column ... not found", PostgreSQL's 'column "x" does not exist' and its HINT). Skipped nodes are grouped
under the failed node that made dbt skip them (pef_gx.artifacts.rebuilt), so 100 skipped tests read as
one line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pef_gx.artifacts.rebuilt import FAILED, BuildState
from pef_gx.artifacts.run_results import NodeResult, RunResults, node_name

_CATEGORY_PREFIXES = ("runtime error in", "database error in", "compilation error in", "dbt runtime error")
_NOISE_PREFIXES = ("compiled code at", "candidate bindings", "^")


@dataclass(frozen=True)
class Failure:
    unique_id: str
    status: str
    detail: str  # the line(s) that say what is wrong

    @property
    def name(self) -> str:
        return node_name(self.unique_id)

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]


@dataclass
class BuildSummary:
    failures: list[Failure] = field(default_factory=list)
    skipped: dict[str | None, list[str]] = field(default_factory=dict)  # cause -> skipped unique_ids
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(len(v) for v in self.skipped.values())

    @property
    def failed_nodes(self) -> list[Failure]:
        """Failed models, seeds, snapshots (not tests)."""
        return [f for f in self.failures if f.resource_type not in ("test", "unit_test")]


def error_detail(message: str | None, limit: int = 300) -> str:
    """dbt's message without its category line: the line naming the column or relation, the first
    `LINE n:` of the SQL and a HINT when the database gave one, joined with ' | '."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if lines and lines[0].lower().startswith(_CATEGORY_PREFIXES):
        lines = lines[1:]
    lines = [line for line in lines if not line.lower().startswith(_NOISE_PREFIXES)]
    if not lines:
        return ""
    kept = [lines[0]]
    kept += [line for line in lines[1:] if line.lower().startswith("line ")][:1]
    kept += [line for line in lines[1:] if line.lower().startswith("hint")][:1]
    return " | ".join(" ".join(line.split()) for line in kept)[:limit]


def summarise(run_results: RunResults, state: BuildState | None) -> BuildSummary:
    summary = BuildSummary(counts=Counter(r.status for r in run_results.results))
    skipped: list[str] = []
    for result in run_results.results:
        if result.status in FAILED:
            summary.failures.append(Failure(result.unique_id, result.status, _detail(result)))
        elif result.status == "skipped":
            skipped.append(result.unique_id)
    for uid in skipped:
        cause = state.cause_of(uid) if state is not None else None
        summary.skipped.setdefault(cause, []).append(uid)
    return summary


def _detail(result: NodeResult) -> str:
    if result.resource_type == "test" and result.status == "fail":
        return result.message or f"{result.failures} failing row(s)"
    return error_detail(result.message) or result.status
