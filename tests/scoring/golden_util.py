"""Golden files: compare with tests/scoring/golden/<name>; regenerate on purpose with PEF_GX_REGEN_GOLDEN=1.

PEF_GX_REGEN_GOLDEN=1 .venv/bin/pytest tests/scoring -k golden   # then review `git diff`
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str, folder: Path = GOLDEN) -> None:
    path = folder / name
    if os.environ.get("PEF_GX_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"golden file {path} missing: run with PEF_GX_REGEN_GOLDEN=1 and review the diff"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (PEF_GX_REGEN_GOLDEN=1 to accept)"
