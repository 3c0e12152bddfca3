"""Write and read results files: `<root>/.pef-gx/results/<run_id>.json` plus `latest.json`.

Writes are atomic (a temporary file in the same folder, fsync, rename), so a reader never sees half a
file, and a run that dies before it ends (the database went away) leaves the previous files untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pef_gx.artifacts.shapes import check_results
from pef_gx.errors import ArtifactError, OutputError
from pef_gx.results.model import ValidationRun

RESULTS_DIR = Path(".pef-gx") / "results"
LATEST = "latest.json"


def results_dir(root: Path) -> Path:
    return root / RESULTS_DIR


def write_run(run: ValidationRun, root: Path) -> Path:
    """Write the run's file and point latest.json at the same content; returns the run's file."""
    folder = results_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create {folder}: {exc.strerror}", "check the folder's permissions"
        ) from None
    text = json.dumps(run.to_dict(), indent=2, sort_keys=True, default=str) + "\n"
    path = folder / f"{run.run_id}.json"
    _write_atomic(path, text)
    _write_atomic(folder / LATEST, text)
    return path


def read_run(path: Path) -> ValidationRun:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(
            f"{path} not found", "run `pef-gx checkpoint` (or `pef-gx build`) first"
        ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise ArtifactError(f"{path} is not a readable results file: {str(exc)[:100]}") from None
    if not isinstance(data, dict) or "run_id" not in data:
        raise ArtifactError(f"{path} is not a pef-gx results file")
    check_results(data, path)
    return ValidationRun.from_dict(data)


def read_latest(root: Path) -> ValidationRun:
    return read_run(results_dir(root) / LATEST)


def _write_atomic(path: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
