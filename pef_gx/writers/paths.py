"""Every path pef-gx writes is named from sanitised names and stays under its root.

Names come from the manifest (a source table may be called `../../x`) and so do properties-file paths
(`patch_path`, `original_file_path`): both are untrusted. `safe_file_name` turns a name into one file name
(no folder separators, no leading dot); `inside` checks, after resolving symlinks, that a path stays under
its root, else raises OutputError (exit 2) before anything is written.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pef_gx.errors import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")
_MAX = 200  # bytes of a file name (most filesystems allow 255), room left for the extension


def safe_file_name(name: str) -> str:
    """`name` as one file name: unsafe characters become `_`; when anything changed (or the name is too
    long) a short hash of the original keeps two different names apart."""
    clean = _UNSAFE.sub("_", name).lstrip(".") or "_"
    if clean == name and len(name.encode()) <= _MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{clean[: _MAX - 9]}-{digest}"


def inside(path: Path, root: Path, what: str) -> Path:
    """`path` when it stays under `root` once symlinks are resolved; OutputError otherwise."""
    real_root = root.resolve()
    real = path.resolve()
    if real != real_root and real_root not in real.parents:
        shown = f"{path} (resolves to {real})" if real != path.absolute() else str(path)
        raise OutputError(
            f"refusing to write {what} {shown}: it is outside {real_root}",
            "a name or path in the manifest points outside the project (or a symlink does); "
            "fix it and run `dbt parse` again",
        )
    return path
