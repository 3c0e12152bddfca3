"""Every command or option a message tells the user to run exists in the CLI (issue 9, point 4).

The hints are collected from the package's source: every string literal (f-strings too) is searched for
`pef-gx <command> [--option ...]` and for bare `--option` words outside a `dbt ...` snippet. Each
command must be a pef-gx command, each option an option of that command (bare ones: of some command).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
import typer.main

from pef_gx.cli.app import _register_commands, app

PACKAGE = Path(__file__).resolve().parents[2] / "pef_gx"
# `pef-gx <command> ...` in backticks, or "run pef-gx <command>" in plain words
PEF_GX_HINT = re.compile(r"(?:`pef-gx((?:\s+[^`\s]+)+)`|\brun pef-gx((?:\s+[\w-]+)+))")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]+)")
DBT_SNIPPET = re.compile(r"`dbt [^`]*`|\bdbt (?:build|test|compile|run|ls|parse|seed)\b[^;,)`]*")


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            found.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def _hints() -> list[tuple[str, str]]:
    """(where, hint text) for every string in the package that names a pef-gx command or an option."""
    hints = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in _strings(path):
            if "pef-gx " in text or OPTION.search(text):
                hints.append((f"{path.relative_to(PACKAGE.parent)}:{line}", text))
    return hints


@pytest.fixture(scope="module")
def cli() -> click.Group:
    _register_commands()
    return typer.main.get_command(app)


def _options(command: click.Command) -> set[str]:
    opts = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    return opts | {"--help"}  # click adds --help to every command


def test_the_hints_are_found() -> None:
    texts = [text for _, text in _hints()]
    assert any("pef-gx generate" in t for t in texts)
    assert any("--parse" in t for t in texts)


def test_every_pef_gx_command_and_option_in_a_message_exists(cli: click.Group) -> None:
    all_options = set().union(*(_options(c) for c in cli.commands.values()), _options(cli))
    wrong = []
    for where, text in _hints():
        for match in PEF_GX_HINT.finditer(text):
            words = (match.group(1) or match.group(2)).split()
            name = words[0]
            if name.startswith("-") or name in ("{}",):
                continue
            if name not in cli.commands:
                wrong.append(f"{where}: `pef-gx {name}` is not a command ({text[:80]!r})")
                continue
            known = _options(cli.commands[name]) | _options(cli)
            for word in words[1:]:
                option = word.split("=", 1)[0]
                if option.startswith("--") and option not in known:
                    wrong.append(f"{where}: `pef-gx {name}` has no option {option} ({text[:80]!r})")
        if " " not in text.strip() or ("{" in text and ":" in text and ";" in text):
            continue  # an argument of a command line (dbt's '--log-format') or CSS (--fg: #fff), not a message
        bare = DBT_SNIPPET.sub("", PEF_GX_HINT.sub("", text))
        for option in OPTION.findall(bare):
            if option not in all_options:
                wrong.append(f"{where}: no pef-gx command has {option} ({text[:80]!r})")
    assert not wrong, "\n".join(wrong)


def test_the_manifest_hint_names_options_that_exist(cli: click.Group) -> None:
    """The reproduction of the issue: checkpoint advised `--parse`, which did not exist."""
    from pef_gx.artifacts.json_artifact import load_artifact
    from pef_gx.errors import ArtifactError

    with pytest.raises(ArtifactError) as caught:
        load_artifact(Path("/nonexistent/manifest.json"), "manifest", range(10, 13), "dbt parse")
    assert "--parse" in str(caught.value)
    assert "--parse" in _options(cli.commands["checkpoint"])
    assert "--parse" in _options(cli.commands["generate"])


def test_install_instructions_do_not_name_a_package_index_pef_gx_is_not_on() -> None:
    """README and the PR workflow install pef-gx from its repository (URL or path), not `pip install pef-gx`."""
    root = PACKAGE.parent
    for path in (root / "README.md", root / ".github" / "workflows" / "pr-quality.yml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install (--\S+ )*pef-gx\b(?![-/.])", text), path
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert 'pip install "git+https://github.com/' in readme and "constraints.txt" in readme
    workflow = (root / ".github" / "workflows" / "pr-quality.yml").read_text(encoding="utf-8")
    assert 'pip install "$PEF_GX_PACKAGE"' in workflow and "PEF_GX_PACKAGE: git+https://" in workflow
