"""Settings precedence: CLI > environment > project file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from pef_gx.errors import ConfigError
from pef_gx.settings import load_settings


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pef-gx.yml").write_text(text)
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    return sub


def test_defaults_without_project_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.root == tmp_path.resolve()
    assert settings.dbt_project_dir == tmp_path.resolve()
    assert settings.suites_dir == tmp_path.resolve() / "suites"
    assert settings.target is None


def test_project_file_found_from_a_subfolder_paths_relative_to_it(tmp_path: Path) -> None:
    sub = _project(tmp_path, "dbt_project_dir: shop\nsuites_dir: checks\ntarget: postgres\n")
    settings = load_settings(environ={}, cwd=sub)
    assert settings.root == tmp_path.resolve()
    assert settings.dbt_project_dir == tmp_path.resolve() / "shop"
    assert settings.suites_dir == tmp_path.resolve() / "checks"
    assert settings.target == "postgres"


def test_environment_beats_file_and_cli_beats_environment(tmp_path: Path) -> None:
    sub = _project(tmp_path, "target: postgres\ndbt_project_dir: shop\n")
    env = {"PEF_GX_TARGET": "duckdb", "PEF_GX_DBT_PROJECT_DIR": "other"}
    settings = load_settings(environ=env, cwd=sub)
    assert settings.target == "duckdb"
    assert settings.dbt_project_dir == sub.resolve() / "other"  # env paths are relative to where you are
    settings = load_settings({"target": "ci", "dbt_project_dir": None}, environ=env, cwd=sub)
    assert settings.target == "ci"
    assert settings.dbt_project_dir == sub.resolve() / "other"


def test_feature_sections_are_kept(tmp_path: Path) -> None:
    _project(tmp_path, "infer:\n  max_cardinality: 12\n")
    assert load_settings(environ={}, cwd=tmp_path).section("infer") == {"max_cardinality": 12}


def test_unknown_key_says_did_you_mean(tmp_path: Path) -> None:
    _project(tmp_path, "suite_dir: x\n")
    with pytest.raises(ConfigError, match=r"unknown setting 'suite_dir'.*did you mean 'suites_dir'"):
        load_settings(environ={}, cwd=tmp_path)


def test_broken_project_file(tmp_path: Path) -> None:
    _project(tmp_path, "target: [unclosed\n")
    with pytest.raises(ConfigError, match=r"pef-gx.yml is not valid YAML at line"):
        load_settings(environ={}, cwd=tmp_path)


def test_engine_setting_from_file_environment_and_option(tmp_path: Path) -> None:
    (tmp_path / "pef-gx.yml").write_text("engine: gx\n")
    assert load_settings(cwd=tmp_path, environ={}).engine == "gx"
    assert load_settings(cwd=tmp_path, environ={"PEF_GX_ENGINE": "compiled"}).engine == "compiled"
    assert load_settings({"engine": "gx"}, cwd=tmp_path, environ={"PEF_GX_ENGINE": "compiled"}).engine == "gx"
    with pytest.raises(ConfigError, match="unknown engine 'fast'"):
        load_settings({"engine": "fast"}, cwd=tmp_path, environ={})
