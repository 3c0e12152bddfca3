"""dbt's run_results.json: one record per executed node."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pef_gx.artifacts import shapes
from pef_gx.artifacts.json_artifact import load_artifact


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str  # success | error | skipped | pass | fail | warn | runtime error
    execution_time: float
    message: str | None
    failures: int | None
    rows_affected: int | None
    started_at: str | None
    completed_at: str | None

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return node_name(self.unique_id)


def node_name(unique_id: str) -> str:
    """The readable name in a unique_id: `test.pkg.not_null_x.ab12` -> `not_null_x`, sources `src.table`."""
    parts = unique_id.split(".")
    kind = parts[0]
    if kind == "test" and len(parts) > 3:
        return parts[2]
    return ".".join(parts[2:]) or unique_id


@dataclass(frozen=True)
class RunResults:
    invocation_id: str
    generated_at: str
    elapsed_time: float
    command: str
    results: tuple[NodeResult, ...]
    select: tuple[str, ...] = ()  # the invocation's --select / --exclude (args in run_results.json)
    exclude: tuple[str, ...] = ()

    @property
    def selected(self) -> bool:
        return bool(self.select or self.exclude)


def read_run_results(path: Path) -> RunResults:
    data = load_artifact(path, "run-results", range(4, 7), "dbt build")
    shapes.check_run_results(data, path)
    results = []
    for item in data.get("results") or []:
        timing = {t.get("name"): t for t in item.get("timing") or []}
        execute = timing.get("execute") or {}
        response = item.get("adapter_response") or {}
        results.append(
            NodeResult(
                unique_id=item["unique_id"],
                status=str(item.get("status")),
                execution_time=float(item.get("execution_time") or 0.0),
                message=item.get("message"),
                failures=item.get("failures"),
                rows_affected=response.get("rows_affected"),
                started_at=execute.get("started_at"),
                completed_at=execute.get("completed_at"),
            )
        )
    metadata = data.get("metadata") or {}
    args = data.get("args") or {}
    return RunResults(
        invocation_id=str(metadata.get("invocation_id", "")),
        generated_at=str(metadata.get("generated_at", "")),
        elapsed_time=float(data.get("elapsed_time") or 0.0),
        command=str(args.get("which", "")),
        results=tuple(results),
        select=_words(args.get("select")),
        exclude=_words(args.get("exclude")),
    )


def _words(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v)
    return ()
