"""One settings object. Precedence: CLI option > environment (PEF_GX_*) > project file > defaults.

The project file is `pef-gx.yml`, found in the current directory or the nearest parent. Paths in it are
relative to the file. Constructing settings reads files but changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pef_gx.errors import ConfigError, did_you_mean

PROJECT_FILE = "pef-gx.yml"
ENV_PREFIX = "PEF_GX_"


@dataclass(frozen=True)
class Settings:
    """Where things are and how to behave. Paths are absolute once loaded."""

    root: Path = field(default_factory=Path.cwd)
    dbt_project_dir: Path = Path(".")
    profiles_dir: Path | None = None  # None: the dbt project dir, then ~/.dbt (dbt's own rule)
    target: str | None = None  # None: the profile's default target
    gx_dir: Path = Path("gx")
    suites_dir: Path = Path("suites")
    # what runs the checks: "compiled" (pef-gx's SQL, GX for what it does not know) or "gx" (GX only)
    engine: str = "compiled"
    # Free-form sections for individual features (inference thresholds, history, alerts, ...).
    sections: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.sections.get(name) or {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"'{name}' in {PROJECT_FILE} must be a mapping", "see README, 'Project file'")
        return value

    @property
    def project_file(self) -> Path:
        return self.root / PROJECT_FILE


ENGINES = ("compiled", "gx")
_PATH_KEYS = {"dbt_project_dir", "profiles_dir", "gx_dir", "suites_dir"}
_KNOWN_KEYS = {f.name for f in fields(Settings)} - {"root", "sections"}


def find_project_file(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def _read_project_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path} is not valid YAML{where}", "fix the syntax or delete the file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must be a mapping of settings", "see README, 'Project file'")
    return data


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Merge defaults, the project file, PEF_GX_* variables and CLI overrides (None means 'not given')."""
    environ = os.environ if environ is None else environ
    cwd = (cwd or Path.cwd()).resolve()
    project_file = find_project_file(cwd)
    root = project_file.parent if project_file else cwd

    # key -> (value, folder a relative path in it is relative to)
    merged: dict[str, tuple[Any, Path]] = {}
    sections: dict[str, Any] = {}
    if project_file:
        for key, value in _read_project_file(project_file).items():
            if key in _KNOWN_KEYS:
                merged[key] = (value, root)
            elif isinstance(value, dict):
                sections[key] = value
            else:
                hint = did_you_mean(key, _KNOWN_KEYS) or "remove it"
                raise ConfigError(f"unknown setting '{key}' in {project_file}", hint)
    for key in _KNOWN_KEYS:
        env_value = environ.get(ENV_PREFIX + key.upper())
        if env_value:
            merged[key] = (env_value, cwd)
    for key, value in (overrides or {}).items():
        if value is not None:
            merged[key] = (value, cwd)

    resolved: dict[str, Any] = {}
    for key, (value, base) in merged.items():
        if key in _PATH_KEYS and value is not None:
            path = Path(str(value)).expanduser()
            resolved[key] = (path if path.is_absolute() else base / path).resolve()
        else:
            resolved[key] = value
    if resolved.get("engine", "compiled") not in ENGINES:
        raise ConfigError(
            f"unknown engine '{resolved['engine']}'", f"use one of: {', '.join(ENGINES)} (setting 'engine')"
        )
    settings = Settings(root=root, sections=sections)
    settings = replace(
        settings,
        dbt_project_dir=(root / settings.dbt_project_dir).resolve(),
        gx_dir=(root / settings.gx_dir).resolve(),
        suites_dir=(root / settings.suites_dir).resolve(),
    )
    return replace(settings, **resolved)
