"""`pef-gx init` installs pef-gx's generic dbt tests into any dbt project, not only the sample one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pef_gx.writers.dbt_macros import shipped_macros
from tests.conftest import dbt, run_cli

PROJECT = """name: tiny
version: "1.0.0"
config-version: 2
profile: tiny
"""
PROFILES = """tiny:
  target: dev
  outputs:
    dev: {type: duckdb, path: tiny.duckdb, schema: main, threads: 1}
"""
MODEL = """select 1 as id, 'ann@example.com' as email, 3 as n, current_timestamp as loaded_at
union all select 2, 'bob@example.org', 5, current_timestamp
union all select 3, {bad}, 7, current_timestamp
"""
SCHEMA = """version: 2
models:
  - name: people
    data_tests:
      - pef_gx_row_count_between: {arguments: {min_value: 1, max_value: 10}}
      - pef_gx_recency: {arguments: {field: loaded_at, datepart: hour, interval: 2}}
      - pef_gx_unique_combination: {arguments: {combination_of_columns: [id, email]}}
      - pef_gx_expression_is_true: {arguments: {expression: "n > 0"}}
    columns:
      - name: email
        data_tests:
          - pef_gx_match_regex: {arguments: {regex: '^[^@]+@[^@]+[.][a-z]+$'}}
      - name: n
        data_tests:
          - pef_gx_accepted_range: {arguments: {min_value: 0, max_value: 10, inclusive: false}}
          - pef_gx_not_null_proportion: {arguments: {at_least: 0.9}}
"""


def _tiny(root: Path, bad: str) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(PROJECT)
    (root / "profiles.yml").write_text(PROFILES)
    (root / "models" / "people.sql").write_text(MODEL.format(bad=bad))
    (root / "models" / "schema.yml").write_text(SCHEMA)
    return root


def test_init_installs_and_is_idempotent(tmp_path: Path) -> None:
    project = _tiny(tmp_path / "tiny", "'cy@example.net'")
    check = run_cli("init", "--check", "--project-dir", str(project), cwd=tmp_path)
    assert check.returncode == 1 and "would create: macros/pef_gx/pef_gx_match_regex.sql" in check.stdout
    assert not (project / "macros").exists()
    first = run_cli("init", "--project-dir", str(project), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    installed = {p.name: p.read_text() for p in (project / "macros" / "pef_gx").iterdir()}
    assert installed == shipped_macros()
    second = run_cli("init", "--project-dir", str(project), cwd=tmp_path)
    assert second.returncode == 0 and "0 installed" in second.stdout
    assert run_cli("init", "--check", "--project-dir", str(project), cwd=tmp_path).returncode == 0


@pytest.mark.integration
@pytest.mark.parametrize(
    ("bad", "failing"), [("'cy@example.net'", set()), ("'not an email'", {"pef_gx_match_regex"})]
)
def test_generic_tests_run_in_another_project(tmp_path: Path, bad: str, failing: set[str]) -> None:
    project = _tiny(tmp_path / "tiny", bad)
    assert run_cli("init", "--project-dir", str(project), cwd=tmp_path).returncode == 0
    proc = dbt(project, "build", check=False)
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    statuses = {
        r["unique_id"].split(".")[2].split("_people")[0]: r["status"]
        for r in results
        if r["unique_id"].startswith("test.")
    }
    assert len(statuses) == 7, proc.stdout[-2000:]
    assert {name for name, status in statuses.items() if status != "pass"} == failing, statuses
