"""The generic dbt tests pef-gx ships (pef_gx/resources/dbt_macros/*.sql), installed into a dbt project's
`macros/pef_gx/` folder by `pef-gx init`. Generated YAML uses them for checks core dbt cannot express."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pef_gx.writers.atomic import check_writable, write_atomic

INSTALL_DIR = Path("macros") / "pef_gx"


@dataclass(frozen=True)
class Installed:
    path: Path
    action: str  # "create" | "update" | "unchanged"


def shipped_macros() -> dict[str, str]:
    """File name -> text of every generic test / helper macro pef-gx ships."""
    folder = resources.files("pef_gx") / "resources" / "dbt_macros"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    }


def install_macros(project_dir: Path, write: bool = True) -> list[Installed]:
    """Copy the shipped macros into <project>/macros/pef_gx/ (pef-gx owns that folder)."""
    folder = project_dir / INSTALL_DIR
    plan: list[tuple[Path, str, str]] = []
    for name, text in shipped_macros().items():
        path = folder / name
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        plan.append((path, text, "unchanged" if old == text else "create" if old is None else "update"))
    if write:
        for path, _, action in plan:
            if action != "unchanged":
                check_writable(path)
        for path, text, action in plan:
            if action != "unchanged":
                write_atomic(path, text)
    return [Installed(path, action) for path, _, action in plan]


def missing_macros(project_dir: Path) -> list[str]:
    """Names of shipped macros not installed (or out of date) in the project."""
    return [i.path.name for i in install_macros(project_dir, write=False) if i.action != "unchanged"]
