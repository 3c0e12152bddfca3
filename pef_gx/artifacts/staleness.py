"""Is target/manifest.json older than the project files dbt parsed it from?

A manifest parsed before someone added a test to a properties YAML (or edited a model) describes a
project that no longer exists: generating from it, or checking generated files against it, gives a
verdict about old input. `changed_since_manifest` lists the project files (SQL, YAML, CSV seeds, Python
models, dbt_project.yml) modified after the manifest was written, by modification time.

Files `pef-gx generate` itself wrote are not changes: their content is derived from that very manifest.
`record_written` remembers their SHA-256 beside the manifest, and a file whose content still has the
recorded hash is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from pef_gx.errors import ConfigError

WRITTEN_RECORD = ".pef-gx-written.json"  # in dbt's target folder, beside manifest.json
_SUFFIXES = (".sql", ".yml", ".yaml", ".csv", ".py", ".md")
_SKIP_DIRS = {"target", "logs", "dbt_packages", "dbt_modules", "node_modules", "__pycache__"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_PATH_KEYS = {
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "snapshot-paths": ["snapshots"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    "analysis-paths": ["analyses"],
}
_TOP_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml")


def _source_folders(project_dir: Path) -> list[Path]:
    """The folders dbt parses (dbt_project.yml's *-paths, dbt's defaults otherwise)."""
    config: object = {}
    with contextlib.suppress(OSError, ValueError, ImportError):
        import yaml

        config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    config = config if isinstance(config, dict) else {}
    folders = []
    for key, default in _PATH_KEYS.items():
        value = config.get(key) or default
        for rel in value if isinstance(value, list) else [value]:
            folders.append(project_dir / str(rel))
    return folders


def _project_files(project_dir: Path, target_path: Path) -> Iterable[Path]:
    """dbt_project.yml & co, and the SQL/YAML/CSV/Python/Markdown files under the folders dbt parses
    (not gx/, suites/ or anything else a project folder may also hold)."""
    for name in _TOP_FILES:
        if (project_dir / name).is_file():
            yield project_dir / name
    for root in _source_folders(project_dir):
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".") and here / d != target_path
            )
            for name in sorted(files):
                if name.endswith(_SUFFIXES):
                    yield here / name


def _written(target_path: Path) -> dict[str, str]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((target_path / WRITTEN_RECORD).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
    return {}


def changed_since_manifest(project_dir: Path, manifest_path: Path) -> list[str]:
    """Project files (relative paths, sorted) modified after `manifest_path`; [] when it is missing."""
    try:
        parsed_at = manifest_path.stat().st_mtime
    except OSError:
        return []
    target_path = manifest_path.parent
    written = _written(target_path)
    changed = []
    for path in _project_files(project_dir, target_path):
        try:
            if path.stat().st_mtime <= parsed_at:
                continue
            rel = path.relative_to(project_dir).as_posix()
            if written.get(rel) == _sha256(path):
                continue  # pef-gx wrote it from this manifest
        except OSError:
            continue
        changed.append(rel)
    return changed


def check_yaml_syntax(project_dir: Path, changed: Iterable[str]) -> None:
    """Before re-parsing: a changed YAML file that does not load is named here, in one line (dbt's own
    parse error spans a dozen lines)."""
    import yaml

    for rel in changed:
        if not rel.endswith((".yml", ".yaml")):
            continue
        try:
            yaml.safe_load((project_dir / rel).read_text(encoding="utf-8"))
        except OSError:
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "syntax error"
            raise ConfigError(
                f"{project_dir / rel} is not valid YAML{where}: {problem}",
                "fix the syntax; pef-gx left the file untouched",
            ) from None


def record_written(project_dir: Path, manifest_path: Path, paths: Iterable[Path]) -> None:
    """Remember the files generate wrote from this manifest (best effort: a failure only costs a re-parse)."""
    target_path = manifest_path.parent
    record = _written(target_path)
    for path in paths:
        with contextlib.suppress(OSError, ValueError):
            record[path.resolve().relative_to(project_dir.resolve()).as_posix()] = _sha256(path)
    with contextlib.suppress(OSError):
        tmp = target_path / f"{WRITTEN_RECORD}.tmp"
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target_path / WRITTEN_RECORD)
