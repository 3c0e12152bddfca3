"""Bad input to `pef-gx generate`: one clear line, exit 2, and nothing written or lost."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot_tree


def _assert_bad(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _manifest(ws: Path) -> Path:
    return ws / "dbt_project" / "target" / "manifest.json"


def test_manifest_missing(parsed_copy: Path) -> None:
    _manifest(parsed_copy).unlink()
    before = snapshot_tree(parsed_copy)
    message = _assert_bad(run_cli("generate", cwd=parsed_copy), "manifest.json not found")
    assert "dbt parse" in message and "--parse" in message
    assert snapshot_tree(parsed_copy) == before


def test_manifest_truncated(parsed_copy: Path) -> None:
    text = _manifest(parsed_copy).read_text()
    _manifest(parsed_copy).write_text(text[: len(text) // 2])
    before = snapshot_tree(parsed_copy)
    _assert_bad(run_cli("generate", cwd=parsed_copy), "not valid JSON", "truncated")
    assert snapshot_tree(parsed_copy) == before


def test_manifest_not_json(parsed_copy: Path) -> None:
    _manifest(parsed_copy).write_text("version: 2\nmodels: []\n")
    before = snapshot_tree(parsed_copy)
    _assert_bad(run_cli("generate", cwd=parsed_copy), "not valid JSON")
    assert snapshot_tree(parsed_copy) == before


def test_json_that_is_not_a_manifest(parsed_copy: Path) -> None:
    run_results = {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}}
    _manifest(parsed_copy).write_text(json.dumps(run_results))
    _assert_bad(run_cli("generate", cwd=parsed_copy), "is not a dbt manifest", "run-results/v6")


@pytest.mark.parametrize("version", [9, 13])
def test_manifest_unsupported_version(parsed_copy: Path, version: int) -> None:
    data = json.loads(_manifest(parsed_copy).read_text())
    data["metadata"]["dbt_schema_version"] = f"https://schemas.getdbt.com/dbt/manifest/v{version}.json"
    _manifest(parsed_copy).write_text(json.dumps(data))
    before = snapshot_tree(parsed_copy)
    message = _assert_bad(run_cli("generate", cwd=parsed_copy), f"manifest v{version}", "v10 to v12")
    assert "dbt-core" in message
    assert snapshot_tree(parsed_copy) == before


def test_properties_yaml_syntax_error_left_untouched(parsed_copy: Path) -> None:
    # A hand-written expectation whose check must become a dbt test in _staging.yml...
    path = parsed_copy / "suites" / "stg_products.json"
    suite = json.loads(path.read_text())
    suite["expectations"].append(
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "category", "regex": "^[A-Z]"}}
    )
    path.write_text(json.dumps(suite))
    # ...but that file has a syntax error.
    staging = parsed_copy / "dbt_project" / "models" / "staging" / "_staging.yml"
    broken = staging.read_text().replace("  - name: stg_products\n", "  - name: stg_products\n   bad: [\n", 1)
    staging.write_text(broken)
    before = snapshot_tree(parsed_copy)
    _assert_bad(run_cli("generate", cwd=parsed_copy), "_staging.yml is not valid YAML", "line", "untouched")
    assert staging.read_text() == broken
    assert snapshot_tree(parsed_copy) == before  # no suite written either


def test_unknown_node_with_did_you_mean(parsed_copy: Path) -> None:
    before = snapshot_tree(parsed_copy)
    result = run_cli("generate", "--select", "stg_custmers", cwd=parsed_copy)
    _assert_bad(result, "'stg_custmers' matches no node", "did you mean 'stg_customers'?")
    assert snapshot_tree(parsed_copy) == before


def test_infer_when_relation_never_built(parsed_copy: Path) -> None:
    # The DuckDB file exists (another model was built) but stg_products never was.
    import duckdb

    duckdb.connect(str(parsed_copy / "dbt_project" / "pef_shop.duckdb")).close()
    before = snapshot_tree(parsed_copy)
    result = run_cli("generate", "--infer", "--select", "stg_products", cwd=parsed_copy)
    _assert_bad(result, "'stg_products' was never built", "pef-gx build")
    assert snapshot_tree(parsed_copy) == before


def test_infer_when_warehouse_file_missing(parsed_copy: Path) -> None:
    result = run_cli("generate", "--infer", "--select", "stg_products", cwd=parsed_copy)
    _assert_bad(result, "does not exist", "pef-gx build")


def test_suites_path_is_a_file(parsed_copy: Path) -> None:
    shutil.rmtree(parsed_copy / "suites")
    (parsed_copy / "suites").write_text("not a folder\n")
    before = snapshot_tree(parsed_copy)
    _assert_bad(run_cli("generate", cwd=parsed_copy), "cannot write", "suites")
    assert snapshot_tree(parsed_copy) == before


def test_read_only_suites_folder(parsed_copy: Path) -> None:
    """Tests run as root, for whom chmod does not stop writes; an immutable folder (chattr +i) does."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr not available")
    suites = parsed_copy / "suites"
    (suites / "stg_orders.json").unlink()  # a suite generate wants to (re)create
    made = subprocess.run(["chattr", "+i", str(suites)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"this filesystem has no immutable flag: {made.stderr.strip()}")
    try:
        before = snapshot_tree(parsed_copy)
        _assert_bad(run_cli("generate", cwd=parsed_copy), "cannot write to", "suites", "writable")
        assert snapshot_tree(parsed_copy) == before
        assert not (suites / "stg_orders.json").exists()
    finally:
        subprocess.run(["chattr", "-i", str(suites)], check=True)


def test_unknown_format(parsed_copy: Path) -> None:
    _assert_bad(run_cli("generate", "--format", "xml", cwd=parsed_copy), "unknown --format 'xml'")


def test_corrupt_existing_suite(parsed_copy: Path) -> None:
    (parsed_copy / "suites" / "stg_orders.json").write_text("{")
    before = snapshot_tree(parsed_copy)
    _assert_bad(run_cli("generate", cwd=parsed_copy), "stg_orders.json is not readable JSON")
    assert snapshot_tree(parsed_copy) == before
