"""Fixtures of the generate tests: the sample project parsed (or built) once per session, copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_workspace

DBT = str(Path(sys.executable).parent / "dbt")


def dbt(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    proc = subprocess.run(
        [DBT, *args, "--profiles-dir", ".", "--project-dir", "."],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return proc


def new_workspace(dest: Path) -> Path:
    """The repository layout: pef-gx.yml, dbt_project/ and the committed suites/ (and gx/)."""
    return copy_workspace(dest)


def clone(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("logs", "*.duckdb.wal"))
    return dest


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under root (but dbt's target/ and logs/) with its bytes, for 'nothing changed' checks."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not {"target", "logs", ".pef-gx"} & set(rel.parts) and path.suffix != ".duckdb":
            out[str(rel)] = path.read_bytes()
    return out


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
