"""Node selection with dbt's own selector (`dbt ls`): the one place every --select/--exclude goes through.

`generate`, `checkpoint` and `build` resolve their selection here BEFORE anything runs, so a typo is
answered with a "did you mean" and exit 2 instead of a run that checked nothing. `dbt ls` runs with a
temporary target path, so the manifest in target/ is not rewritten.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pef_gx.artifacts.manifest import CHECKABLE_TYPES, Manifest, closest_names, read_manifest
from pef_gx.artifacts.project import DbtProject
from pef_gx.errors import ArtifactError, DbtError, SelectionError
from pef_gx.runner.dbt_cli import dbt_executable
from pef_gx.settings import Settings


def selection_args(select: Sequence[str], exclude: Sequence[str]) -> list[str]:
    args: list[str] = []
    if select:
        args += ["--select", *select]
    if exclude:
        args += ["--exclude", *exclude]
    return args


def _words(items: Sequence[str]) -> list[str]:
    return [word for item in items for word in item.split()]  # "a b" means a union, as in dbt


def select_node_ids(
    settings: Settings,
    project: DbtProject,
    manifest: Manifest | None,
    select: Sequence[str],
    exclude: Sequence[str],
    *,
    resource_types: Sequence[str] | None = ("model", "seed", "snapshot", "source"),
) -> list[str]:
    """unique_ids dbt's selector picks (of `resource_types`; every type when None).

    Without select/exclude: every checkable node of `manifest`. A selector (in --select or --exclude)
    that matches nothing, or a selection that leaves nothing, is a SelectionError (exit 2) with a
    "did you mean" from the manifest (the one `dbt ls` just parsed when `manifest` is None).
    """
    if not select and not exclude:
        if manifest is None:
            raise ValueError("a manifest is needed to list every node")
        return sorted(manifest.nodes)
    select, exclude = _words(select), _words(exclude)
    with tempfile.TemporaryDirectory(prefix="pef-gx-ls-") as tmp:
        saved = project.target_path / "partial_parse.msgpack"
        if saved.is_file():  # dbt's partial parsing: `dbt ls` then re-reads only what changed
            with contextlib.suppress(OSError):
                shutil.copy2(saved, Path(tmp) / saved.name)
        args = [dbt_executable(), "ls", "--output", "json", "--output-keys", "unique_id", "--target-path", tmp,
                "--log-format", "json", "--project-dir", str(project.dir), *selection_args(select, exclude)]  # fmt: skip
        if resource_types:
            args[2:2] = ["--resource-types", *resource_types]
        if settings.profiles_dir:
            args += ["--profiles-dir", str(settings.profiles_dir)]
        if settings.target:
            args += ["--target", settings.target]
        proc = subprocess.run(args, cwd=project.dir, capture_output=True, text=True, check=False)
        chosen, unmatched, errors = _read_ls_output(proc.stdout)
        if proc.returncode != 0 and not chosen:
            detail = (errors or [proc.stderr.strip() or f"exit code {proc.returncode}"])[0][:300]
            raise DbtError(
                f"dbt ls could not select nodes: {detail}", "check --select/--exclude and the project"
            )
        if manifest is None and (unmatched or not chosen):
            with contextlib.suppress(ArtifactError):
                manifest = read_manifest(Path(tmp) / "manifest.json")
    if unmatched:
        word = unmatched[0]
        option = "--exclude" if word in exclude and word not in select else "--select"
        hint = (closest_names(manifest, word) if manifest else None) or "run `dbt ls` to see the node names"
        raise SelectionError(f"{option} '{word}' matches no node in the dbt project", hint)
    if manifest is not None and resource_types and set(resource_types) <= set(CHECKABLE_TYPES):
        chosen = [uid for uid in chosen if uid in manifest.nodes]
    if not chosen:
        shown = " ".join(selection_args(select, exclude))
        raise SelectionError(f"{shown} leaves no node to run", "widen --select or narrow --exclude")
    return sorted(set(chosen))


def _read_ls_output(stdout: str) -> tuple[list[str], list[str], list[str]]:
    chosen: list[str] = []
    unmatched: list[str] = []
    errors: list[str] = []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        info, data = event.get("info") or {}, event.get("data") or {}
        if info.get("name") == "PrintEvent":
            with contextlib.suppress(ValueError, KeyError, TypeError):
                chosen.append(json.loads(data.get("msg") or "")["unique_id"])
        elif info.get("name") == "NoNodesForSelectionCriteria":
            unmatched.append(str(data.get("spec_raw") or ""))
        elif info.get("level") == "error":
            errors.append(str(info.get("msg") or "").strip())
    return chosen, unmatched, errors
