"""Fixtures of the generate tests: the sample project parsed (or built) once per session, copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import clone, copy_workspace, dbt


def new_workspace(dest: Path) -> Path:
    """The repository layout: pef-gx.yml, dbt_project/ and the committed suites/ (and gx/)."""
    return copy_workspace(dest)


@pytest.fixture(scope="session")
def parsed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after `dbt parse` (a manifest, no warehouse). Read-only: clone() it to mutate."""
    ws = new_workspace(tmp_path_factory.mktemp("parsed") / "ws")
    dbt(ws / "dbt_project", "parse")
    return ws


@pytest.fixture(scope="session")
def built_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after `dbt build` on DuckDB (planted defects warn). Read-only: clone() it."""
    ws = new_workspace(tmp_path_factory.mktemp("built") / "ws")
    dbt(ws / "dbt_project", "build")
    return ws


@pytest.fixture
def parsed_copy(parsed_workspace: Path, tmp_path: Path) -> Path:
    return clone(parsed_workspace, tmp_path / "ws")


@pytest.fixture
def built_copy(built_workspace: Path, tmp_path: Path) -> Path:
    return clone(built_workspace, tmp_path / "ws")
