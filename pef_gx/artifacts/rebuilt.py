"""Was a relation rebuilt by the dbt invocation a check follows? Read from run_results.json and the lineage.

A relation dbt errored on, skipped (an upstream node or test failed) or did not run in that invocation
still holds the data of an earlier build: checking it would score old data as current. `stale_reason`
says why in one phrase ("not rebuilt: upstream stg_orders failed"); None means rebuilt (or a source,
which dbt never builds). Only invocations that build relations (build, run, seed, snapshot) tell
anything; after any other command (test, compile, docs generate) nothing is known and nothing is stale.

`cause_of` finds the failed node behind a skipped one, for the build summary and the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pef_gx.artifacts.manifest import Manifest
from pef_gx.artifacts.run_results import RunResults, node_name

BUILDING_COMMANDS = frozenset({"build", "run", "seed", "snapshot"})
FAILED = frozenset({"error", "fail", "runtime error"})
REBUILT = frozenset({"success"})
BUILT_TYPES = ("model", "seed", "snapshot")


@dataclass
class BuildState:
    """dbt's verdict on each node of one invocation, with the lineage to explain skips."""

    command: str
    invocation_id: str
    statuses: Mapping[str, str]
    parents: Mapping[str, tuple[str, ...]]
    tests_of: Mapping[str, tuple[str, ...]]  # node -> data tests attached to it
    selected: bool = False  # the invocation had --select/--exclude
    _causes: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def builds(self) -> bool:
        return self.command in BUILDING_COMMANDS

    def status(self, unique_id: str) -> str | None:
        return self.statuses.get(unique_id)

    def stale_reason(self, unique_id: str) -> str | None:
        """Why `unique_id` was not rebuilt by this invocation; None when it was (or cannot be known)."""
        kind = unique_id.split(".", 1)[0]
        if not self.builds or kind not in BUILT_TYPES:
            return None
        status = self.statuses.get(unique_id)
        if status in REBUILT:
            return None
        if status is None:
            how = "was not selected in" if self.selected else "was not part of"
            return f"not rebuilt: it {how} the last dbt {self.command}"
        if status in FAILED:
            return f"not rebuilt: dbt failed on {node_name(unique_id)}"
        if status == "skipped":
            cause = self.cause_of(unique_id)
            if cause is None:
                return "not rebuilt: dbt skipped it"
            if cause.startswith(("test.", "unit_test.")):
                return f"not rebuilt: upstream test {node_name(cause)} failed"
            return f"not rebuilt: upstream {node_name(cause)} failed"
        return f"not rebuilt: dbt reported '{status}'"

    def cause_of(self, unique_id: str) -> str | None:
        """The failed node (model, seed, snapshot or test) that made dbt skip `unique_id`."""
        if unique_id in self._causes:
            return self._causes[unique_id]
        self._causes[unique_id] = None  # guards against cycles in a broken manifest
        found: str | None = None
        for test in self.tests_of.get(unique_id, ()):  # a failed unit test skips its model
            if test.startswith("unit_test.") and self.statuses.get(test) in FAILED:
                found = test
        for parent in self.parents.get(unique_id, ()):
            if found:
                break
            status = self.statuses.get(parent)
            if status in FAILED:
                found = parent
            elif status == "skipped":
                found = self.cause_of(parent)
            else:
                found = next(
                    (t for t in self.tests_of.get(parent, ()) if self.statuses.get(t) in FAILED), None
                )
        self._causes[unique_id] = found
        return found


def build_state(
    manifest: Manifest, run_results: RunResults | None, selected: bool | None = None
) -> BuildState | None:
    """The BuildState of `run_results` (None without one). `selected` overrides what run_results says."""
    if run_results is None:
        return None
    parents: dict[str, tuple[str, ...]] = {uid: n.depends_on for uid, n in manifest.nodes.items()}
    tests_of: dict[str, list[str]] = {}
    for uid, test in manifest.tests.items():
        parents[uid] = test.depends_on
        if test.node_id:
            tests_of.setdefault(test.node_id, []).append(uid)
    for result in run_results.results:  # unit tests are not in Manifest: tie them to their model by name
        if result.resource_type == "unit_test":
            model = result.unique_id.split(".")[2] if result.unique_id.count(".") >= 3 else ""
            for uid in manifest.by_name().get(model, ()):
                tests_of.setdefault(uid, []).append(result.unique_id)
    return BuildState(
        command=run_results.command,
        invocation_id=run_results.invocation_id,
        statuses={r.unique_id: r.status for r in run_results.results},
        parents=parents,
        tests_of={k: tuple(v) for k, v in tests_of.items()},
        selected=run_results.selected if selected is None else selected,
    )


def skipped_by_cause(state: BuildState, skipped: Iterable[str]) -> dict[str | None, list[str]]:
    """Group skipped unique_ids under the failed node that caused them (None: cause unknown)."""
    groups: dict[str | None, list[str]] = {}
    for uid in skipped:
        groups.setdefault(state.cause_of(uid), []).append(uid)
    return groups
