"""`pef-gx build` on the sample project, on DuckDB and PostgreSQL, and its bad-input paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PLANTED, run_cli


def _statuses(project: Path) -> dict[str, str]:
    results = json.loads((project / "dbt_project" / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def _assert_sample_build(workspace: Path, stdout: str) -> None:
    statuses = _statuses(workspace)
    warned = {uid.split(".")[2] for uid, status in statuses.items() if status == "warn"}
    assert warned == PLANTED
    assert not [uid for uid, status in statuses.items() if status in ("error", "fail", "skipped")]
    for model in ("stg_orders", "dim_customers", "customer_lifetime_value", "sales", "sales_daily"):
        assert statuses[f"model.pef_shop.{model}"] == "success"
    assert statuses["snapshot.pef_shop.customers_snapshot"] == "success"
    # The per-node summary names every node and ends with the counts and the artifacts folder.
    assert "customer_lifetime_value" in stdout and "not_null_raw_customers_email" in stdout
    assert "8 warn" in stdout
    assert f"artifacts: {workspace / 'dbt_project' / 'target'}" in stdout


@pytest.mark.integration
def test_build_on_duckdb(workspace: Path) -> None:
    result = run_cli("build", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_sample_build(workspace, result.stdout)
    assert (workspace / "dbt_project" / "pef_shop.duckdb").is_file()


@pytest.mark.integration
@pytest.mark.postgres
def test_build_on_postgres(workspace: Path, pg_env: dict[str, str]) -> None:
    result = run_cli("build", "--target", "postgres", cwd=workspace, env=pg_env)
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_sample_build(workspace, result.stdout)
    assert f"schema {pg_env['DBT_SCHEMA']}" in result.stdout


@pytest.mark.integration
def test_build_select_runs_only_the_selection(workspace: Path) -> None:
    result = run_cli("build", "--select", "raw_products", "--select", "raw_customers", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    nodes = {uid.split(".")[2] for uid in _statuses(workspace)}
    assert {"raw_products", "raw_customers", "unique_raw_products_product_id"} <= nodes
    assert "stg_products" not in nodes and "raw_orders" not in nodes


def _assert_clean_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_project_dir_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli("build", "--project-dir", str(tmp_path / "nope"), cwd=tmp_path)
    _assert_clean_error(result, "does not exist", "--project-dir")


def test_project_dir_without_dbt_project_yml(tmp_path: Path) -> None:
    result = run_cli("build", "--project-dir", str(tmp_path), cwd=tmp_path)
    _assert_clean_error(result, "no dbt_project.yml")


def test_unknown_target_says_did_you_mean(workspace: Path) -> None:
    result = run_cli("build", "--target", "postgre", cwd=workspace)
    _assert_clean_error(result, "unknown target 'postgre'", "did you mean 'postgres'")
    assert not (workspace / "dbt_project" / "target").exists()


def test_postgres_unreachable(workspace: Path) -> None:
    result = run_cli("build", "--target", "postgres", cwd=workspace, env={"DBT_PORT": "1"})
    _assert_clean_error(result, "cannot connect to PostgreSQL at 127.0.0.1:1", "server running")
    assert not (workspace / "dbt_project" / "target").exists()


def test_profiles_with_a_yaml_error(workspace: Path) -> None:
    profiles = workspace / "dbt_project" / "profiles.yml"
    broken = profiles.read_text().replace("outputs:", "outputs: [", 1)
    profiles.write_text(broken)
    result = run_cli("build", cwd=workspace)
    _assert_clean_error(result, "profiles.yml is not valid YAML at line")
    assert profiles.read_text() == broken  # untouched
