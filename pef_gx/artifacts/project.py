"""The dbt project on disk: where it is, its name, profile and target path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.errors import ConfigError, ProjectNotFound


@dataclass(frozen=True)
class DbtProject:
    dir: Path
    name: str
    profile: str
    target_path: Path  # absolute: where dbt writes manifest.json & co

    @property
    def manifest_path(self) -> Path:
        return self.target_path / "manifest.json"

    @property
    def run_results_path(self) -> Path:
        return self.target_path / "run_results.json"

    @property
    def catalog_path(self) -> Path:
        return self.target_path / "catalog.json"


def load_yaml_file(path: Path, what: str) -> Any:
    """Parse a YAML file, turning a syntax error into one line with its position."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(f"{what} {path} is not valid YAML{where}: {problem}", "fix the syntax") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None


def load_dbt_project(project_dir: Path) -> DbtProject:
    if not project_dir.is_dir():
        raise ProjectNotFound(
            f"dbt project directory {project_dir} does not exist",
            "pass --project-dir or set dbt_project_dir in pef-gx.yml",
        )
    config_path = project_dir / "dbt_project.yml"
    if not config_path.is_file():
        raise ProjectNotFound(
            f"{project_dir} has no dbt_project.yml, so it is not a dbt project",
            "point --project-dir at the folder that holds dbt_project.yml",
        )
    config = load_yaml_file(config_path, "dbt project file")
    if not isinstance(config, dict) or not config.get("name"):
        raise ConfigError(f"{config_path} has no 'name'", "a dbt project file needs name: and profile:")
    target_path = Path(str(config.get("target-path") or "target"))
    return DbtProject(
        dir=project_dir.resolve(),
        name=str(config["name"]),
        profile=str(config.get("profile") or config["name"]),
        target_path=(target_path if target_path.is_absolute() else project_dir / target_path).resolve(),
    )
