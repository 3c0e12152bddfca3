"""`pef-gx generate`: one set of checks from the dbt manifest, written as GX suites and dbt schema YAML.

Steps: (dbt parse) -> read manifest (+ catalog) -> select nodes (dbt's own selector, `dbt ls`) -> read the
suites already there -> generators (dbt tests, constraints, freshness, inference or the inferred checks
kept from before, hand-written expectations) -> one CheckSpec per check_id -> plan every file's new text
-> write (atomically, after checking that every path is writable) or, with `check`/`dry_run`, only
compare. Nothing is written before everything is known, so bad input leaves the disk as it was.

Selection runs `dbt ls` (in a temporary target path, so the manifest in target/ is not rewritten) only
when --select/--exclude is given; everything is selected otherwise.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pef_gx.artifacts.manifest import Manifest, Node, closest_names, read_catalog, read_manifest, restrict
from pef_gx.artifacts.project import DbtProject, load_dbt_project
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, OriginType
from pef_gx.errors import DbtError, SelectionError
from pef_gx.generators.base import Generated, NotMirrored
from pef_gx.generators.constraints import from_constraints
from pef_gx.generators.dbt_tests import from_dbt_tests
from pef_gx.generators.freshness import from_freshness
from pef_gx.generators.model_meta import from_model_meta
from pef_gx.generators.parity import ParityReport, build_report
from pef_gx.generators.suites import read_suites
from pef_gx.runner.build import selection_args
from pef_gx.runner.dbt_cli import dbt_executable, run_dbt
from pef_gx.settings import Settings
from pef_gx.writers import gx_suite
from pef_gx.writers.atomic import check_writable, remove, write_many
from pef_gx.writers.dbt_yaml import OwnedTest, plan_yaml

_PRIORITY = {
    OriginType.DBT_TEST: 0,
    OriginType.FRESHNESS: 1,
    OriginType.META: 1,
    OriginType.CONSTRAINT: 2,
    OriginType.HAND_WRITTEN: 3,
    OriginType.NATURAL_LANGUAGE: 4,
    OriginType.INFERRED: 5,
}


@dataclass(frozen=True)
class FileChange:
    path: Path
    old: str | None  # None: a new file
    new: str | None  # None: the file is removed

    @property
    def action(self) -> str:
        return "create" if self.old is None else "remove" if self.new is None else "update"

    def diff(self, root: Path) -> str:
        try:
            name = str(self.path.relative_to(root))
        except ValueError:
            name = str(self.path)
        return "".join(
            difflib.unified_diff(
                (self.old or "").splitlines(keepends=True),
                (self.new or "").splitlines(keepends=True),
                fromfile=f"a/{name}" if self.old is not None else "/dev/null",
                tofile=f"b/{name}" if self.new is not None else "/dev/null",
            )
        )


@dataclass
class GenerateResult:
    project: DbtProject
    manifest: Manifest
    specs: list[CheckSpec]
    changes: list[FileChange]
    report: ParityReport
    written: bool
    selected: list[str] = field(default_factory=list)


def select_node_ids(
    settings: Settings, project: DbtProject, manifest: Manifest, select: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """unique_ids of the checkable nodes dbt's selector picks (all of them without select/exclude)."""
    if not select and not exclude:
        return sorted(manifest.nodes)
    select = [word for item in select for word in item.split()]  # "a b" means a union, as in dbt
    exclude = [word for item in exclude for word in item.split()]
    with tempfile.TemporaryDirectory(prefix="pef-gx-ls-") as tmp:
        args = [dbt_executable(), "ls", "--resource-types", "model", "seed", "snapshot", "source",
                "--output", "json", "--output-keys", "unique_id", "--target-path", tmp,
                "--log-format", "json", "--project-dir", str(project.dir), *selection_args(select, exclude)]  # fmt: skip
        if settings.profiles_dir:
            args += ["--profiles-dir", str(settings.profiles_dir)]
        if settings.target:
            args += ["--target", settings.target]
        proc = subprocess.run(args, cwd=project.dir, capture_output=True, text=True, check=False)
    chosen: list[str] = []
    unmatched: list[str] = []
    errors: list[str] = []
    for line in proc.stdout.splitlines():
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
    if proc.returncode != 0 and not chosen:
        detail = (errors or [proc.stderr.strip() or f"exit code {proc.returncode}"])[0][:300]
        raise DbtError(f"dbt ls could not select nodes: {detail}", "check --select/--exclude and the project")
    if unmatched:
        word = unmatched[0]
        hint = closest_names(manifest, word) or "run `dbt ls` to see the node names"
        raise SelectionError(f"--select '{word}' matches no node in the dbt project", hint)
    return sorted(uid for uid in chosen if uid in manifest.nodes)


def _dedupe(specs: list[CheckSpec]) -> list[CheckSpec]:
    return list(_by_check_id(specs).values())


def _by_check_id(specs: list[CheckSpec]) -> dict[str, CheckSpec]:
    """One spec per check_id (the one from the most authoritative origin)."""
    best: dict[str, CheckSpec] = {}
    for spec in specs:
        check_id = spec.check_id
        current = best.get(check_id)
        if current is None or _PRIORITY[spec.origin.type] < _PRIORITY[current.origin.type]:
            best[check_id] = spec
    return best


def _key_columns(node: Node, specs: Sequence[CheckSpec]) -> list[str]:
    if node.primary_key:
        return list(node.primary_key)
    for spec in sorted(specs, key=lambda s: s.check_id):
        if spec.kind == "unique" and spec.columns and spec.where is None:
            return [spec.columns[0]]
    return []


def _relation_ref(manifest: Manifest) -> Callable[[str], str | None]:
    def ref(unique_id: str) -> str | None:
        node = manifest.nodes.get(unique_id)
        if node is None:
            return None
        if node.resource_type == "source":
            return f"source('{node.source_name}', '{node.name}')"
        return f"ref('{node.name}')"

    return ref


def generate(
    settings: Settings,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    infer: bool = False,
    parse: bool = False,
    write: bool = True,
) -> GenerateResult:
    """Compute every output; write it when `write` (else only report what would change).

    The cyclic garbage collector is paused meanwhile: a large manifest allocates millions of acyclic
    objects, and collecting them over and over cost a third of the run time (bench/generate_bench.py).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(settings, select, exclude, infer, parse, write)
    finally:
        if paused:
            gc.enable()


def _generate(
    settings: Settings,
    select: Sequence[str],
    exclude: Sequence[str],
    infer: bool,
    parse: bool,
    write: bool,
) -> GenerateResult:
    project = load_dbt_project(settings.dbt_project_dir)
    if parse:
        invocation = run_dbt(["parse"], project.dir, settings.profiles_dir, settings.target)
        if invocation.returncode != 0:
            detail = next((e for e in invocation.errors if e), f"exit code {invocation.returncode}")
            raise DbtError(f"dbt parse failed: {detail[:300]}", "fix the dbt project, then run again")
    manifest = read_manifest(project.manifest_path)
    selected = select_node_ids(settings, project, manifest, select, exclude)
    nodes = restrict(manifest, selected)
    existing = read_suites(settings.suites_dir, manifest)

    generated = Generated()
    generated.extend(from_dbt_tests(manifest, selected))
    generated.extend(from_constraints(manifest, selected))
    generated.extend(from_freshness(manifest, selected))
    generated.extend(from_model_meta(manifest, selected, project.dir))
    by_id = _by_check_id(generated.specs)
    from_dbt = list(by_id.values())
    dbt_ids = set(by_id)

    if infer:
        from pef_gx.artifacts.profiles import load_target
        from pef_gx.generators.inference import infer_checks

        target = load_target(project, settings.profiles_dir, settings.target)
        inferred = infer_checks(
            target, manifest, nodes, read_catalog(project.catalog_path), settings.section("infer"), from_dbt
        )
        generated.not_mirrored.extend(inferred.not_mirrored)
        inferred_specs = inferred.specs
    else:
        inferred_specs = [s for nid in selected for s in existing.inferred.get(nid, [])]
    inferred_specs += [s for nid in selected for s in existing.natural_language.get(nid, [])]
    inferred_specs = [s for s in _dedupe(inferred_specs) if s.check_id not in dbt_ids]
    kept = {nid: existing.hand_written.get(nid, []) for nid in selected}
    hand_specs = [k.spec for items in kept.values() for k in items]

    # dbt YAML for the checks dbt does not have
    relation_ref = _relation_ref(manifest)
    owned: list[OwnedTest] = []
    mirrored: set[str] = set()
    seen: set[str] = set(dbt_ids)
    for spec in sorted([*hand_specs, *inferred_specs], key=lambda s: (_PRIORITY[s.origin.type], s.check_id)):
        if spec.check_id in seen:
            mirrored.add(spec.check_id)  # dbt already has this very check
            continue
        seen.add(spec.check_id)
        entry = catalog.dbt_test_entry(spec, relation_ref)
        if entry is None:
            continue
        owned.append(OwnedTest(manifest.nodes[spec.node_id], spec, entry[0], entry[1], entry[2]))
        mirrored.add(spec.check_id)
    yaml_changes = plan_yaml(project.dir, nodes, owned, manifest.dbt_version)

    # GX suites
    # a hand-written expectation that says exactly what a generated one says replaces it (kept verbatim)
    hand_ids = {s.check_id for s in hand_specs}
    if hand_ids:
        from_dbt = [spec for check_id, spec in by_id.items() if check_id not in hand_ids]
    specs_by_node: dict[str, list[CheckSpec]] = {}
    for spec in [*from_dbt, *inferred_specs]:
        specs_by_node.setdefault(spec.node_id, []).append(spec)
    changes: list[FileChange] = []
    suites: dict[str, str] = {}
    for node in nodes:
        node_specs = specs_by_node.get(node.unique_id, [])
        node_kept = kept.get(node.unique_id, [])
        path = existing.files.get(node.unique_id) or settings.suites_dir / f"{node.suite_name}.json"
        old = existing.texts.get(path)
        if not node_specs and not node_kept:
            if old is not None:
                changes.append(FileChange(path, old, None))
            continue
        suites[node.unique_id] = node.suite_name
        suite = gx_suite.build_suite(node, node_specs, node_kept, _key_columns(node, node_specs))
        if old is not None and existing.parsed.get(path) == suite and gx_suite.looks_canonical(old):
            continue  # same content, in pef-gx's layout: no need to render it again
        text = gx_suite.dumps(suite)
        if text != old:
            changes.append(FileChange(path, old, text))
    for path, new in sorted(yaml_changes.items()):
        old = path.read_text(encoding="utf-8") if path.exists() else None
        changes.append(FileChange(path, old, new))

    all_specs = [*from_dbt, *inferred_specs, *hand_specs]
    not_mirrored: list[NotMirrored] = list(generated.not_mirrored)
    report = build_report(suites, all_specs, mirrored, not_mirrored)
    report.changed_files = [str(c.path) for c in changes]
    report.unattached_suites = [str(p) for p in existing.unattached]

    if write and changes:
        probed: set[Path] = set()
        for change in changes:
            if change.path.parent in probed and (change.path.is_file() or not change.path.exists()):
                continue  # its folder is known to be writable
            check_writable(change.path)
            probed.add(change.path.parent)
        write_many([(c.path, c.new) for c in changes if c.new is not None])
        for change in changes:
            if change.new is None:
                remove(change.path)
    return GenerateResult(project, manifest, all_specs, changes, report, write and bool(changes), selected)
