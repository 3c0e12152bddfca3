"""Fixtures of the `pef-gx ask` tests: the sample project parsed (and built) once per session, cloned per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import clone, copy_workspace, dbt


@pytest.fixture(scope="session")
def parsed_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace (pef-gx.yml, dbt_project/, gx/, suites/) after `dbt parse`. Read-only: clone() it."""
    ws = copy_workspace(tmp_path_factory.mktemp("nl_parsed") / "ws")
    dbt(ws / "dbt_project", "parse")
    return ws


@pytest.fixture(scope="session")
def built_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace with every seed and model built on DuckDB (no tests run). Read-only: clone() it."""
    ws = copy_workspace(tmp_path_factory.mktemp("nl_built") / "ws")
    dbt(ws / "dbt_project", "seed")
    dbt(ws / "dbt_project", "run")  # also writes target/manifest.json, newer than every project file
    return ws


@pytest.fixture
def built(built_ws: Path, tmp_path: Path) -> Path:
    return clone(built_ws, tmp_path / "ws")


@pytest.fixture(scope="session")
def index(parsed_ws: Path):
    """The sample project as the interpreter sees it."""
    from pef_gx.runner.ask import load_index
    from pef_gx.settings import load_settings

    _, _, project_index, parsed = load_index(load_settings(cwd=parsed_ws))
    assert not parsed, "the fixture's manifest should be fresh"
    return project_index


BILLING = Path(__file__).resolve().parents[2] / "bench" / "nl_billing"


@pytest.fixture(scope="session")
def billing_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/nl_billing (other names, partly documented YAML) after `pef-gx init` and `dbt build`.
    Read-only: clone() it."""
    import shutil

    from tests.conftest import run_cli

    ws = tmp_path_factory.mktemp("nl_billing") / "ws"
    shutil.copytree(BILLING, ws, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*"))
    proc = run_cli("init", cwd=ws)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dbt(ws / "dbt_project", "build")
    return ws


@pytest.fixture(scope="session")
def billing_index(billing_ws: Path):
    """The billing project as the interpreter sees it: columns read from the built DuckDB relations."""
    from pef_gx.runner.ask import load_index
    from pef_gx.settings import load_settings

    return load_index(load_settings(cwd=billing_ws))[2]
