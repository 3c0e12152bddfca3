"""Issue 10: a fuzzer of the files pef-gx reads. Shape-changing mutations (hypothesis) of real manifests
(v12 from the sample's `dbt parse`, and hand-trimmed v11/v10 variants), of the sample's suites and of a
results file. For every case: exit 0 or 2, no traceback, nothing changed on exit 2, nothing ever written
outside the project, no hang. The real entry point runs in-process (fast); a few cases also as a subprocess.

The tally (cases, tracebacks, partial states, hangs) is printed at the end (`pytest -s` shows it).
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import clone, run_cli
from tests.reliability.conftest import manifest_path, run_inprocess

TALLY = {"cases": 0, "tracebacks": 0, "partial": 0, "outside": 0, "hangs": 0, "exit0": 0, "exit2": 0}
HOSTILE = [None, "x", "", 0, -1, 1.5, math.nan, math.inf, True, [], {}, ["x"], {"x": 1}, "../../../../outside/x",
           "/etc/passwd", [[[[[]]]]], "\u0000", "é" * 300]  # fmt: skip
CASE_SECONDS = 120
PHASES = [Phase.explicit, Phase.generate]  # no shrinking: a failure is reported as found


def _tree(root: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not {"target", "logs"} & set(rel.parts) and ".duckdb" not in path.name:
            out[str(rel)] = path.read_bytes()
    return out


def _restore(root: Path, snapshot: dict[str, bytes]) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        rel = str(path.relative_to(root))
        if (
            path.is_file()
            and rel not in snapshot
            and not {"target", "logs"} & set(path.relative_to(root).parts)
        ):
            path.unlink()
    for rel, data in snapshot.items():
        path = root / rel
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


@pytest.fixture(scope="module")
def sandbox(
    parsed_ws: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """One workspace inside an otherwise empty folder (to see any write outside it), restored per case."""
    box = tmp_path_factory.mktemp("fuzzbox")
    ws = clone(parsed_ws, box / "ws")
    assert run_inprocess("generate", cwd=ws).code == 0  # a settled starting point
    yield _Box(ws, _tree(ws))
    print("\nfuzz tally:", json.dumps(TALLY))


class _Box(tuple):
    def __new__(cls, ws: Path, snapshot: dict[str, bytes]) -> _Box:
        return super().__new__(cls, (ws, snapshot))

    def __repr__(self) -> str:
        return "<sandbox>"


def _variants(manifest: dict) -> dict[str, dict]:
    v11 = copy.deepcopy(manifest)
    v11["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v11.json"
    for key in ("unit_tests", "functions"):
        v11.pop(key, None)
    for node in v11["nodes"].values():
        node.pop("doc_blocks", None)
        for column in (node.get("columns") or {}).values():
            column.pop("doc_blocks", None)
    v10 = copy.deepcopy(v11)
    v10["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v10.json"
    for key in ("semantic_models", "saved_queries"):
        v10.pop(key, None)
    for node in v10["nodes"].values():
        node.pop("access", None)
        node.pop("latest_version", None)
    return {"v12": manifest, "v11": v11, "v10": v10}


def _mutate(data: Any, draw: Any) -> Any:
    """Walk down a random path (biased to what pef-gx reads), then change what is there."""
    path: list[Any] = []
    node = data
    top = draw(st.sampled_from(["nodes", "nodes", "nodes", "sources", "metadata", None]))
    if top is not None and isinstance(node, dict) and top in node:
        path.append(top)
        node = node[top]
    for _ in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            break
        path.append(key)
        node = node[key]
    action = draw(st.sampled_from(["replace", "replace", "delete", "wrap", "deep"]))
    value = draw(st.sampled_from(HOSTILE))
    if not path:
        return value if action == "replace" else [data] if action == "wrap" else data
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "deep":
        deep: Any = []
        for _ in range(draw(st.sampled_from([10, 1000, 100_000]))):
            deep = [deep]
        parent[last] = deep
    else:
        parent[last] = value
    return data


def _dump(data: Any) -> str:
    try:
        return json.dumps(data)
    except RecursionError:
        depth = 200_000
        return (
            '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "x": '
            + "[" * depth
            + "]" * depth
            + "}"
        )


def _run_case(
    ws: Path, snapshot: dict[str, bytes], command: str, restore: dict[str, bytes] | None = None
) -> None:
    """Run one case; `snapshot` is the tree as the case starts, `restore` the tree to go back to."""
    TALLY["cases"] += 1
    box = ws.parent
    before_box = sorted(p.name for p in box.iterdir())
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        out = run_inprocess(command, cwd=ws)
    except _Hang:
        TALLY["hangs"] += 1
        raise AssertionError(f"{command} ran over {CASE_SECONDS} s") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    try:
        if out.crash or "Traceback" in out.stderr + out.stdout:
            TALLY["tracebacks"] += 1
            raise AssertionError(out.crash or out.stderr)
        assert out.code in (0, 2), (out.code, out.stderr[-500:])
        TALLY[f"exit{out.code}"] += 1
        if out.code == 2:
            assert len([x for x in out.stderr.splitlines() if x.strip()]) == 1, out.stderr
            changed = _tree(ws) != snapshot
            TALLY["partial"] += changed
            assert not changed, "exit 2 but files changed"
        if sorted(p.name for p in box.iterdir()) != before_box or list((box.parent).glob("outside*")):
            TALLY["outside"] += 1
            raise AssertionError("a file was written outside the project")
    finally:
        _restore(ws, restore if restore is not None else snapshot)


@settings(
    max_examples=45, deadline=None, derandomize=True, phases=PHASES, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_fuzz_manifest(sandbox: tuple[Path, dict[str, bytes]], data: st.DataObject) -> None:
    ws, snapshot = sandbox
    original = json.loads(
        snapshot["dbt_project/target/manifest.json"]
        if "dbt_project/target/manifest.json" in snapshot
        else manifest_path(ws).read_bytes()
    )
    version = data.draw(st.sampled_from(["v12", "v11", "v10"]))
    manifest = copy.deepcopy(_variants(original)[version])
    for _ in range(data.draw(st.integers(1, 3))):
        manifest = _mutate(manifest, data.draw)
    saved = manifest_path(ws).read_bytes()
    manifest_path(ws).write_text(_dump(manifest))
    try:
        _run_case(ws, snapshot, "generate")
    finally:
        manifest_path(ws).write_bytes(saved)


@settings(
    max_examples=20, deadline=None, derandomize=True, phases=PHASES, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_fuzz_suites(sandbox: tuple[Path, dict[str, bytes]], data: st.DataObject) -> None:
    ws, snapshot = sandbox
    names = sorted(n for n in snapshot if n.startswith("suites/") and n.endswith(".json"))
    name = data.draw(st.sampled_from(names))
    suite = json.loads(snapshot[name])
    suite = _mutate(suite, data.draw)
    (ws / name).write_text(_dump(suite))
    _run_case(ws, _tree(ws), "generate", restore=snapshot)


RESULTS = {
    "run_id": "20260101T000000Z-abc", "project": "pef_shop", "target_name": "duckdb", "target_type": "duckdb",
    "schema": "main", "command": "checkpoint", "started_at": "2026-01-01T00:00:00Z",
    "finished_at": "2026-01-01T00:00:01Z", "elapsed_s": 1.0, "dbt_nodes": [], "relations": [], "schema_version": 1,
    "checks": [{"check_id": "a1", "suite": "sales", "node_id": "model.pef_shop.sales", "node_name": "sales",
                "columns": ["id"], "kind": "not_null", "expectation_type": "expect_column_values_to_not_be_null",
                "origin_type": "dbt_test", "origin_ref": None, "dimension": "completeness", "severity": "error",
                "level": "row", "status": "pass", "element_count": 10, "unexpected_count": 0}],
}  # fmt: skip


@settings(
    max_examples=20, deadline=None, derandomize=True, phases=PHASES, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_fuzz_results(sandbox: tuple[Path, dict[str, bytes]], data: st.DataObject) -> None:
    ws, _snapshot = sandbox
    results = _mutate(copy.deepcopy(RESULTS), data.draw)
    latest = ws / ".pef-gx" / "results" / "latest.json"
    latest.parent.mkdir(parents=True, exist_ok=True)
    latest.write_text(_dump(results))
    snap = _tree(ws)
    try:
        _run_case(ws, snap, "score")
    finally:
        shutil.rmtree(ws / ".pef-gx", ignore_errors=True)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: d.__setitem__("nodes", "x"),
        lambda d: next(n for n in d["nodes"].values() if n["resource_type"] == "model").__setitem__(
            "columns", []
        ),
        lambda d: d["metadata"].__setitem__("dbt_schema_version", None),
    ],
)
def test_fuzz_subprocess_spot_checks(parsed_ws: Path, tmp_path: Path, mutation: Any) -> None:
    """The same guarantees through the installed command line, in a subprocess of its own."""
    ws = clone(parsed_ws, tmp_path / "ws")
    data = json.loads(manifest_path(ws).read_text())
    mutation(data)
    manifest_path(ws).write_text(json.dumps(data))
    before = _tree(ws)
    proc = run_cli("generate", cwd=ws)
    TALLY["cases"] += 1
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert _tree(ws) == before
