"""Issue 10, item 1: a malformed artifact is one line naming the file and the field, exit 2, no traceback,
nothing written. Every case below crashed with a traceback (exit 1 = "checks failed" in CI) on main."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, snapshot_tree
from tests.reliability.conftest import manifest_path, run_inprocess


def _first(data: dict, resource_type: str) -> dict:
    return next(n for n in data["nodes"].values() if n["resource_type"] == resource_type)


def _model(data: dict) -> dict:
    return next(n for n in data["nodes"].values() if n["resource_type"] == "model" and n["columns"])


def _set(key: str, value: Any) -> Callable[[dict], None]:
    return lambda data: data.__setitem__(key, value)


MANIFEST_CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    "nodes as a list": (_set("nodes", []), "nodes is a list"),
    "nodes as a string": (_set("nodes", "x"), "nodes is a string"),
    "sources as a list": (_set("sources", [1]), "sources is a list"),
    "metadata as a list": (_set("metadata", []), "metadata"),
    "metadata as a string": (_set("metadata", "x"), "metadata"),
    "a node as a string": (lambda d: d["nodes"].__setitem__(next(iter(d["nodes"])), "x"), "is a string"),
    "columns as a list": (lambda d: _model(d).__setitem__("columns", []), ".columns is a list"),
    "a column as a string": (
        lambda d: _model(d)["columns"].__setitem__(next(iter(_model(d)["columns"])), "x"),
        "is a string",
    ),
    "config as a string": (lambda d: _model(d).__setitem__("config", "x"), ".config is a string"),
    "config.meta as a list": (
        lambda d: _model(d)["config"].__setitem__("meta", []),
        ".config.meta is a list",
    ),
    "depends_on as a list": (
        lambda d: _first(d, "test").__setitem__("depends_on", []),
        ".depends_on is a list",
    ),
    "depends_on.nodes as a string": (
        lambda d: _first(d, "test")["depends_on"].__setitem__("nodes", "model.x"),
        ".depends_on.nodes is a string",
    ),
    "a node without unique_id": (lambda d: _model(d).pop("unique_id"), ".unique_id is missing"),
    "a node name null": (lambda d: _model(d).__setitem__("name", None), ".name is null"),
    "test_metadata as a list": (
        lambda d: _first(d, "test").__setitem__("test_metadata", []),
        ".test_metadata is a list",
    ),
    "constraint columns as a string": (
        lambda d: _model(d).__setitem__("constraints", [{"type": "unique", "columns": "id"}]),
        ".constraints[0].columns is a string",
    ),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_malformed_manifest(ws: Path, case: str) -> None:
    mutate, words = MANIFEST_CASES[case]
    data = json.loads(manifest_path(ws).read_text())
    mutate(data)
    manifest_path(ws).write_text(json.dumps(data))
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None, out.crash
    assert out.code == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert "manifest.json" in lines[0] and words in lines[0], lines[0]
    assert "dbt parse" in lines[0]
    assert snapshot_tree(ws) == before


def test_deeply_nested_manifest_subprocess(ws: Path) -> None:
    """200,000 nested arrays: RecursionError in json on main. The real command line, in a subprocess."""
    text = manifest_path(ws).read_text()
    manifest_path(ws).write_text(text[:-1] + ', "deep": ' + "[" * 200_000 + "]" * 200_000 + "}")
    before = snapshot_tree(ws)
    proc = run_cli("generate", cwd=ws)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "manifest.json" in lines[0] and "nested too deeply" in lines[0], proc.stderr
    assert snapshot_tree(ws) == before


def _first_suite(ws: Path) -> Path:
    return sorted((ws / "suites").glob("*.json"))[0]


SUITE_CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    'kwargs "oops"': (lambda s: s["expectations"][0].__setitem__("kwargs", "oops"), "expectations[0].kwargs"),
    "expectations an object": (_set("expectations", {}), "expectations"),
    "an expectation a string": (lambda s: s["expectations"].__setitem__(0, "x"), "expectations[0]"),
    "meta.pef_gx a list": (lambda s: s["expectations"][0]["meta"].__setitem__("pef_gx", []), "meta.pef_gx"),
    "suite meta a string": (_set("meta", "x"), "meta is a string"),
}


@pytest.mark.parametrize("case", sorted(SUITE_CASES))
def test_malformed_suite(ws: Path, case: str) -> None:
    mutate, words = SUITE_CASES[case]
    suite = _first_suite(ws)
    data = json.loads(suite.read_text())
    mutate(data)
    suite.write_text(json.dumps(data))
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None, out.crash
    assert out.code == 2, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and suite.name in lines[0] and words in lines[0], out.stderr
    assert snapshot_tree(ws) == before


def test_suite_with_nan_is_refused(ws: Path) -> None:
    suite = _first_suite(ws)
    suite.write_text(suite.read_text().replace('"kwargs": {', '"kwargs": {"mostly": NaN, ', 1))
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stderr
    assert suite.name in out.stderr and "NaN" in out.stderr


def _results(ws: Path, **change: Any) -> Path:
    folder = ws / ".pef-gx" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    run = {
        "run_id": "20260101T000000Z-abc", "project": "pef_shop", "target_name": "duckdb",
        "target_type": "duckdb", "schema": "main", "command": "checkpoint", "started_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:00:01Z", "elapsed_s": 1.0, "checks": [], "dbt_nodes": [],
        "relations": [], "schema_version": 1,
    }  # fmt: skip
    run.update(change)
    (folder / "latest.json").write_text(json.dumps(run))
    return folder / "latest.json"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"checks": "x"}, "checks is a string"),
        ({"checks": ["x"]}, "checks[0] is a string"),
        ({"checks": [{"check_id": 1}]}, "checks[0].check_id is a number"),
        ({"dbt_nodes": {"a": 1}}, "dbt_nodes is an object"),
        ({"run_id": None}, "run_id is null"),
    ],
)
def test_malformed_results_file(ws: Path, change: dict, words: str) -> None:
    latest = _results(ws, **change)
    before = snapshot_tree(ws)
    out = run_inprocess("score", cwd=ws)
    assert out.crash is None, out.crash
    assert out.code == 2, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "latest.json" in lines[0] and words in lines[0], out.stderr
    assert snapshot_tree(ws) == before
    assert latest.exists()


def test_results_file_well_formed_still_scores(ws: Path) -> None:
    _results(ws)
    out = run_inprocess("score", cwd=ws)
    assert out.crash is None and out.code == 0, out.crash or out.stderr


def test_malformed_run_results(ws: Path) -> None:
    from pef_gx.artifacts.run_results import read_run_results
    from pef_gx.errors import ArtifactError

    path = ws / "dbt_project" / "target" / "run_results.json"
    meta = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}
    for results, words in (("x", "results is a string"), ([{"status": "success"}], "results[0].unique_id")):
        path.write_text(json.dumps({"metadata": meta, "results": results}))
        with pytest.raises(ArtifactError) as info:
            read_run_results(path)
        assert words in str(info.value) and "dbt build" in str(info.value)


def test_malformed_catalog(ws: Path) -> None:
    from pef_gx.artifacts.manifest import read_catalog
    from pef_gx.errors import ArtifactError

    path = ws / "dbt_project" / "target" / "catalog.json"
    meta = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"}
    path.write_text(json.dumps({"metadata": meta, "nodes": {"model.a.b": {"columns": ["x"]}}}))
    with pytest.raises(ArtifactError) as info:
        read_catalog(path)
    assert 'nodes["model.a.b"].columns is a list' in str(info.value)
