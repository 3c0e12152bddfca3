"""Fixtures of the reliability tests: the sample project parsed once per session, copied per test, and an
in-process runner of the real command line (the fuzzer runs hundreds of cases: no subprocess each)."""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import clone, copy_workspace, dbt


@pytest.fixture(scope="session")
def parsed_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after `dbt parse`. Read-only: clone() it to mutate."""
    ws = copy_workspace(tmp_path_factory.mktemp("reliability") / "ws")
    dbt(ws / "dbt_project", "parse")
    return ws


@pytest.fixture
def ws(parsed_ws: Path, tmp_path: Path) -> Path:
    return clone(parsed_ws, tmp_path / "ws")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    crash: str | None  # a traceback: an exception escaped the CLI's error boundary


def run_inprocess(*args: str, cwd: Path) -> Outcome:
    """`pef-gx ARGS` in this process (the real entry point and its error boundary), cwd = `cwd`."""
    from pef_gx.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    crash = None
    code = 0
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        crash = traceback.format_exc()
        code = 1
    finally:
        os.chdir(old)
    return Outcome(code, out.getvalue(), err.getvalue(), crash)


def manifest_path(ws: Path) -> Path:
    return ws / "dbt_project" / "target" / "manifest.json"
