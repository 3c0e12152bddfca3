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
from typing import Any

from pef_gx.artifacts.shapes import check_results
from pef_gx.errors import ArtifactError, OutputError
from pef_gx.results.model import ValidationRun

RESULTS_DIR = Path(".pef-gx") / "results"
LATEST = "latest.json"


def results_dir(root: Path) -> Path:
    return root / RESULTS_DIR


def results_json(data: dict[str, Any]) -> str:
    """The results file's text: one top-level key per line and one check (node, relation) per line.

    Readable and diffable like an indented file, and written by json's C encoder, which Python uses only
    without `indent` (an indented run of 3,000 checks took 0.8 s to write)."""

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    lines = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            items = ",\n    ".join(dump(item) for item in value)
            lines.append(f"  {dump(key)}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


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
        text = results_json(run.to_dict())
        self.path = folder / f"{run.run_id}.json"
        self._staged: list[tuple[Path, Path]] = []
        try:
            # a run that validated nothing (no checks, or only stale ones) does not replace latest.json
            finals = (self.path, folder / LATEST) if run.validated_checks else (self.path,)
            for final in finals:
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
    """Write the run's file and point latest.json at the same content; returns the run's file.

    A run that validated nothing (no checks, or only stale ones) keeps its own file but does not
    replace latest.json: the last real verdict stays what `pef-gx score` reads.
    """
    return stage_run(run, root).commit()


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
