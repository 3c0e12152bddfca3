"""Issue 10, item 9 (generate side): dbt's quoting honoured both ways.

- With `quote: true` the manifest names the column `"region"` (quotes included); the suites must carry the
  real name (`region`) and say it is quoted, else every check looks for a column that does not exist.
- Without `quote: true`, the generic tests pef-gx writes (`pef_gx_accepted_range`, `pef_gx_match_regex`)
  must still run on columns named like reserved words (`select`, `order`) on DuckDB and PostgreSQL: on
  main they failed in dbt with `syntax error at or near ...`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import dbt
from tests.reliability.conftest import manifest_path, run_inprocess


def test_quoted_column_is_recorded_by_its_real_name(ws: Path) -> None:
    data = json.loads(manifest_path(ws).read_text())
    model = data["nodes"]["model.pef_shop.sales"]
    tests = [
        n for n in data["nodes"].values()
        if n["resource_type"] == "test" and n.get("attached_node") == model["unique_id"]
        and n.get("column_name") and n["column_name"] in model["columns"]
        and "pef_gx" not in ((n.get("config") or {}).get("meta") or {})
    ]  # fmt: skip
    column = tests[0]["column_name"]
    entry = model["columns"].pop(column)
    entry.update(name=f'"{column}"', quote=True)
    model["columns"][f'"{column}"'] = entry
    for test in tests:
        if test["column_name"] == column:
            test["column_name"] = f'"{column}"'
            test["test_metadata"]["kwargs"]["column_name"] = f'"{column}"'
    manifest_path(ws).write_text(json.dumps(data))
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 0, out.crash or out.stderr
    suite = json.loads((ws / "suites" / "sales.json").read_text())
    assert suite["meta"]["pef_gx"]["quoted_columns"] == [column]
    named = [e for e in suite["expectations"] if column in e["meta"]["pef_gx"]["columns"]]
    assert named, f"no expectation on {column}"
    assert all(e["kwargs"].get("column") in (None, column) for e in named), named


MODEL = "select 1 as \"select\", 'abc' as \"order\"\nunion all select 3, 'axe'\n"
PROPERTIES = """version: 2
models:
  - name: reserved_words
    columns:
      - name: select
        data_tests:
          - pef_gx_accepted_range:
              arguments: {min_value: 0, max_value: 5}
      - name: order
        data_tests:
          - pef_gx_match_regex:
              arguments: {regex: "^a"}
"""


def _reserved_words_project(ws: Path) -> Path:
    project = ws / "dbt_project"
    folder = project / "models" / "reserved"
    folder.mkdir()
    (folder / "reserved_words.sql").write_text(MODEL)
    (folder / "_reserved.yml").write_text(PROPERTIES)
    return project


@pytest.mark.integration
def test_pef_gx_tests_run_on_reserved_word_columns_duckdb(ws: Path) -> None:
    project = _reserved_words_project(ws)
    proc = dbt(project, "build", "--select", "reserved_words", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 data tests" in proc.stdout and "ERROR=0" in proc.stdout, proc.stdout[-2000:]


@pytest.mark.integration
@pytest.mark.postgres
def test_pef_gx_tests_run_on_reserved_word_columns_postgres(ws: Path, pg_env: dict[str, str]) -> None:
    project = _reserved_words_project(ws)
    proc = dbt(
        project, "build", "--select", "reserved_words", "--target", "postgres", env=pg_env, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 data tests" in proc.stdout and "ERROR=0" in proc.stdout, proc.stdout[-2000:]
