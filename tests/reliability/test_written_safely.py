"""Issue 10, items 2 and 3: bad fields are never written out silently (refused, or reported as not
mirrored with why), and nothing is ever written outside the project (names sanitised, paths checked after
resolving symlinks). Each case wrote a bad or misplaced file on main."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tests.conftest import snapshot_tree
from tests.reliability.conftest import manifest_path, run_inprocess


def _load(ws: Path) -> dict:
    return json.loads(manifest_path(ws).read_text())


def _save(ws: Path, data: dict) -> None:
    manifest_path(ws).write_text(json.dumps(data))  # allow_nan: dbt's own json would write NaN too


def _tests(data: dict, name: str) -> list[dict]:
    """The hand-written dbt tests of a kind (pef-gx's own, marked owned, are not read back)."""
    return [
        n
        for n in data["nodes"].values()
        if n["resource_type"] == "test"
        and (n.get("test_metadata") or {}).get("name") == name
        and "pef_gx" not in ((n.get("config") or {}).get("meta") or {})
    ]


def _strict_suites(ws: Path) -> list[dict]:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a suite")

    return [json.loads(p.read_text(), parse_constant=refuse) for p in sorted((ws / "suites").glob("*.json"))]


def _generate_json(ws: Path) -> dict:
    out = run_inprocess("generate", "--format", "json", cwd=ws)
    assert out.crash is None, out.crash
    assert out.code == 0, out.stderr
    return json.loads(out.stdout)


def _reasons(report: dict) -> dict[str, str]:
    return {m["ref"]: m["reason"] for node in report["nodes"] for m in node["dbt_only"]}


def test_column_test_without_column_is_not_mirrored(ws: Path) -> None:
    data = _load(ws)
    test = _tests(data, "not_null")[0]
    test["column_name"] = None
    test["test_metadata"]["kwargs"]["column_name"] = None
    _save(ws, data)
    report = _generate_json(ws)
    assert "needs a column" in _reasons(report)[test["unique_id"]]
    for suite in _strict_suites(ws):
        for expectation in suite["expectations"]:
            if expectation["type"].startswith("expect_column_"):
                assert expectation["kwargs"].get("column"), expectation


def test_relationships_to_a_missing_node_is_not_mirrored(ws: Path) -> None:
    data = _load(ws)
    test = _tests(data, "relationships")[0]
    test["test_metadata"]["kwargs"]["to"] = "ref('does_not_exist')"
    test["depends_on"]["nodes"] = [test["attached_node"], "model.pef_shop.does_not_exist"]
    _save(ws, data)
    report = _generate_json(ws)
    assert "cannot resolve relationships" in _reasons(report)[test["unique_id"]]
    assert "does_not_exist" not in "".join(p.read_text() for p in (ws / "suites").glob("*.json"))


def test_nan_and_infinity_bounds_are_not_mirrored(ws: Path) -> None:
    data = _load(ws)
    ranges = _tests(data, "accepted_range")
    ranges[0]["test_metadata"]["kwargs"]["min_value"] = math.nan
    ranges[1]["test_metadata"]["kwargs"]["max_value"] = math.inf
    _save(ws, data)
    report = _generate_json(ws)
    reasons = _reasons(report)
    assert "min_value (nan) is not a finite number" in reasons[ranges[0]["unique_id"]]
    assert "max_value (inf) is not a finite number" in reasons[ranges[1]["unique_id"]]
    _strict_suites(ws)  # every suite is strict JSON


def test_suite_writer_refuses_nan() -> None:
    import pytest

    from pef_gx.writers.gx_suite import dumps

    with pytest.raises(ValueError):
        dumps({"expectations": [{"kwargs": {"min_value": math.nan}}]})


# --- item 3: nothing outside the project ------------------------------------------------------------


def test_source_table_named_like_a_path_stays_in_suites(ws: Path) -> None:
    data = _load(ws)
    source = data["sources"]["source.pef_shop.shop.raw_orders"]
    source["name"] = source["identifier"] = "../../../../../outside/x"
    _save(ws, data)
    (ws / "suites" / "source__shop__raw_orders.json").unlink(missing_ok=True)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code in (0, 2), out.crash or out.stderr
    assert not (ws.parent / "outside").exists()
    everything = {p.resolve() for p in ws.parent.rglob("*")}
    assert all(ws.resolve() in p.parents or p == ws.resolve() for p in everything), "a file outside ws"
    written = [p.name for p in (ws / "suites").iterdir() if "outside" in p.name]
    assert written and all("/" not in n and not n.startswith(".") for n in written), written


def test_patch_path_outside_the_project_is_refused(ws: Path) -> None:
    data = _load(ws)
    model = data["nodes"]["model.pef_shop.sales"]
    model["patch_path"] = "pef_shop://../../../../outside/evil.yml"
    _save(ws, data)
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stderr
    assert "outside" in out.stderr and "model.pef_shop.sales" in out.stderr
    assert not (ws.parent / "outside").exists()
    assert snapshot_tree(ws) == before


def test_absolute_original_file_path_is_refused(ws: Path, tmp_path: Path) -> None:
    data = _load(ws)
    model = data["nodes"]["model.pef_shop.sales"]
    model["patch_path"] = None
    model["original_file_path"] = str(tmp_path / "outside" / "models" / "sales.sql")
    _save(ws, data)
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stderr
    assert "outside" in out.stderr
    assert not (tmp_path / "outside").exists()
    assert snapshot_tree(ws) == before


def test_symlinked_suite_pointing_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "keep.txt"
    target.write_text("precious\n")
    suite = ws / "suites" / "sales.json"
    text = suite.read_text()
    suite.unlink()
    stale = json.loads(text)
    stale["expectations"] = stale["expectations"][1:]  # out of date: generate wants to write it
    target.write_text(json.dumps(stale))
    suite.symlink_to(target)
    original = target.read_bytes()
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stderr
    assert "outside" in out.stderr
    assert target.read_bytes() == original and suite.is_symlink()
    assert snapshot_tree(ws) == before


def test_symlinked_models_folder_pointing_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    marts = ws / "dbt_project" / "models" / "marts"
    moved = outside / "marts"
    marts.rename(moved)
    marts.symlink_to(moved, target_is_directory=True)
    before = {p: p.read_bytes() for p in moved.rglob("*") if p.is_file()}
    # a check to add to _marts.yml: an inferred expectation kept in the suite
    suite = ws / "suites" / "sales.json"
    data = json.loads(suite.read_text())
    not_null = next(e for e in data["expectations"] if e["type"] == "expect_column_values_to_not_be_null")
    expectation = json.loads(json.dumps(not_null))
    own = expectation["meta"]["pef_gx"]
    own.update(origin={"type": "inferred", "ref": "profile"}, columns=["region"], check_id="x1")
    expectation.update(type="expect_column_values_to_not_be_null", kwargs={"column": "region"}, id="x1")
    data["expectations"].append(expectation)
    suite.write_text(json.dumps(data))
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stderr
    assert "outside" in out.stderr
    assert {p: p.read_bytes() for p in moved.rglob("*") if p.is_file()} == before
