"""The command line itself: --help of every command, --version, and the error boundary."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pef_gx import __version__
from tests.conftest import run_cli


def _commands() -> list[str]:
    from pef_gx.cli.app import _register_commands, app

    _register_commands()
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pef-gx {__version__}"


def test_top_level_help_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in _commands():
        assert command in result.stdout


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Examples?:\s+pef-gx " + re.escape(command), result.stdout), result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("buidl")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_does_not_import_heavy_libraries() -> None:
    """`pef-gx --help` must stay fast: no GX, dbt or pandas on the start-up path."""
    code = (
        "import sys; from pef_gx.cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('great_expectations', 'dbt', 'pandas', 'duckdb', 'psycopg2') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY=\n" in out, f"heavy modules imported at start-up: {out[-200:]}"
