"""Write and read results files: `<root>/.pef-gx/results/<run_id>.json` plus `latest.json`.

Writes are atomic (a temporary file in the same folder, fsync, rename), so a reader never sees half a
file, and a run that dies before it ends (the database went away) leaves the previous files untouched.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

from pef_gx.errors import ArtifactError, OutputError
from pef_gx.results.model import ValidationRun

RESULTS_DIR = Path(".pef-gx") / "results"
LATEST = "latest.json"


def results_dir(root: Path) -> Path:
    return root / RESULTS_DIR


class StagedRun:
    """A run's results file and latest.json, written in full beside their final names but not yet live.

    Staging first means a full disk fails before anything the user sees changed; `commit` is two renames,
    `discard` removes the staged copies. Used so the history can be recorded between the two.
    """

    def __init__(self, run: ValidationRun, root: Path) -> None:
        folder = results_dir(root)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _output_error(folder, exc) from None
        text = json.dumps(run.to_dict(), indent=2, sort_keys=True, default=str) + "\n"
        self.path = folder / f"{run.run_id}.json"
        self._staged: list[tuple[Path, Path]] = []
        try:
            for final in (self.path, folder / LATEST):
                self._staged.append((_write_temp(final, text), final))
        except BaseException:
            self.discard()
            raise

    def commit(self) -> Path:
        try:
            for temp, final in self._staged:
                os.replace(temp, final)
        except OSError as exc:
            self.discard()
            raise _output_error(self.path, exc) from None
        self._staged = []
        return self.path

    def discard(self) -> None:
        for temp, _ in self._staged:
            temp.unlink(missing_ok=True)
        self._staged = []


def stage_run(run: ValidationRun, root: Path) -> StagedRun:
    return StagedRun(run, root)


def write_run(run: ValidationRun, root: Path) -> Path:
    """Write the run's file and point latest.json at the same content; returns the run's file."""
    return stage_run(run, root).commit()


def read_run(path: Path) -> ValidationRun:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(
            f"{path} not found", "run `pef-gx checkpoint` (or `pef-gx build`) first"
        ) from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path} is not a readable results file: {str(exc)[:100]}") from None
    if not isinstance(data, dict) or "run_id" not in data:
        raise ArtifactError(f"{path} is not a pef-gx results file")
    return ValidationRun.from_dict(data)


def read_latest(root: Path) -> ValidationRun:
    return read_run(results_dir(root) / LATEST)


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(
            f"disk full: cannot write {path}", "free some space and run again; nothing was changed"
        )
    return OutputError(f"cannot write {path}: {exc.strerror}", "check the folder's permissions")


def _write_temp(path: Path, text: str) -> Path:
    """`text` in a temporary file beside `path`, flushed to disk; the caller renames or removes it."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _output_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _output_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)
