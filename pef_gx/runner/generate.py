"""`pef-gx generate`: one set of checks from the dbt manifest, written as GX suites and dbt schema YAML.

Steps: (dbt parse) -> read manifest (+ catalog) -> select nodes (dbt's own selector, `dbt ls`) -> read the
suites already there -> generators (dbt tests, constraints, freshness, inference or the inferred checks
kept from before, hand-written expectations) -> one CheckSpec per check_id -> plan every file's new text
-> write them as one transaction (pef_gx.writers.transaction: every target checked first, all files or
none, a journal that the next run finishes after a kill -9) or, with `check`/`dry_run`, only compare
(leftovers of an interrupted run count as out of date). Nothing is written before everything is known, so
bad input leaves the disk as it was.

Selection (pef_gx.runner.selection) runs `dbt ls` only when --select/--exclude is given.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pef_gx.artifacts.manifest import Manifest, Node, read_catalog, read_manifest, restrict
from pef_gx.artifacts.project import DbtProject, load_dbt_project
from pef_gx.artifacts.staleness import changed_since_manifest, check_yaml_syntax, record_written
from pef_gx.checks import catalog
from pef_gx.checks.spec import CheckSpec, OriginType
from pef_gx.errors import DbtError, StaleManifestError
from pef_gx.generators.base import Generated, NotMirrored
from pef_gx.generators.constraints import from_constraints
from pef_gx.generators.dbt_tests import from_dbt_tests
from pef_gx.generators.freshness import from_freshness
from pef_gx.generators.model_meta import from_model_meta
from pef_gx.generators.parity import ParityReport, build_report
from pef_gx.generators.suites import read_suites
from pef_gx.runner.dbt_cli import run_dbt
from pef_gx.runner.selection import select_node_ids
from pef_gx.settings import Settings
from pef_gx.writers import gx_suite, transaction
from pef_gx.writers.dbt_yaml import OwnedTest, plan_yaml
from pef_gx.writers.paths import safe_file_name

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
    reparsed: list[str] = field(default_factory=list)  # project files newer than the manifest: re-parsed


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


def _output_folders(settings: Settings, project: DbtProject, manifest: Manifest) -> set[Path]:
    """Folders generate writes into: suites/ and those of the nodes' properties files (inside the project)."""
    folders = {settings.suites_dir}
    for node in manifest.nodes.values():
        rel = node.properties_file or node.original_file_path
        if rel and not Path(rel).is_absolute() and ".." not in Path(rel).parts:
            folders.add((project.dir / rel).parent)
    return folders


def _writable(specs: list[CheckSpec], not_mirrored: list[NotMirrored]) -> list[CheckSpec]:
    """The specs that can be written; the others are reported as not mirrored, with why."""
    kept = []
    for spec in specs:
        why = gx_suite.why_unwritable(spec)
        if why is None:
            kept.append(spec)
        else:
            not_mirrored.append(NotMirrored(spec.node_id, spec.origin.ref or spec.check_id, why))
    return kept


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
    stale_manifest: str = "parse",
) -> GenerateResult:
    """Compute every output; write it when `write` (else only report what would change).

    A manifest older than the project files (pef_gx.artifacts.staleness) is re-parsed first
    (`stale_manifest="parse"`) or stops the run with StaleManifestError, exit 1 (`"fail"`, for --check).

    The cyclic garbage collector is paused meanwhile: a large manifest allocates millions of acyclic
    objects, and collecting them over and over cost a third of the run time (bench/generate_bench.py).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(settings, select, exclude, infer, parse, write, stale_manifest)
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
    stale_manifest: str = "parse",
) -> GenerateResult:
    project = load_dbt_project(settings.dbt_project_dir)
    reparsed = _stale_manifest_check(project, parse, stale_manifest)
    parse = parse or bool(reparsed)
    if parse:
        invocation = run_dbt(["parse"], project.dir, settings.profiles_dir, settings.target)
        if invocation.returncode != 0:
            detail = next((e for e in invocation.errors if e), f"exit code {invocation.returncode}")
            detail = " ".join(detail.split())  # one line: dbt's parse errors span many
            raise DbtError(f"dbt parse failed: {detail[:300]}", "fix the dbt project, then run again")
    manifest = read_manifest(project.manifest_path)
    # a run killed mid-write is finished (or its staged files dropped) before anything is read
    folders = _output_folders(settings, project, manifest)
    leftover = [] if write else transaction.leftovers(settings.root, folders)
    if write:
        transaction.recover(settings.root, [settings.suites_dir, project.dir], folders)
    selected = select_node_ids(settings, project, manifest, select, exclude)
    nodes = restrict(manifest, selected)
    existing = read_suites(settings.suites_dir, manifest)

    generated = Generated()
    generated.extend(from_dbt_tests(manifest, selected))
    generated.extend(from_constraints(manifest, selected))
    generated.extend(from_freshness(manifest, selected))
    generated.extend(from_model_meta(manifest, selected, project.dir))
    generated.specs = _writable(generated.specs, generated.not_mirrored)
    by_id = _by_check_id(generated.specs)
    from_dbt = list(by_id.values())
    dbt_ids = set(by_id)

    if infer:
        from pef_gx.artifacts.profiles import load_target
        from pef_gx.generators.inference import infer_checks, infer_settings
        from pef_gx.observability.history import row_count_history

        target = load_target(project, settings.profiles_dir, settings.target)
        section = settings.section("infer")
        cfg = infer_settings(section)
        counts = (
            row_count_history(settings, [n.unique_id for n in nodes], cfg["row_count_history"])
            if cfg["row_counts"]
            else {}
        )
        inferred = infer_checks(
            target, manifest, nodes, read_catalog(project.catalog_path), section, from_dbt, counts
        )
        generated.not_mirrored.extend(inferred.not_mirrored)
        inferred_specs = inferred.specs
    else:
        inferred_specs = [s for nid in selected for s in existing.inferred.get(nid, [])]
    inferred_specs += [s for nid in selected for s in existing.natural_language.get(nid, [])]
    inferred_specs = [s for s in _dedupe(inferred_specs) if s.check_id not in dbt_ids]
    inferred_specs = _writable(inferred_specs, generated.not_mirrored)
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
    refused: list[tuple[OwnedTest, str]] = []
    yaml_changes = plan_yaml(project.dir, nodes, owned, manifest.dbt_version, refused)
    for test, why in refused:  # not written to dbt: GX only, and the report says why
        mirrored.discard(test.spec.check_id)
        generated.not_mirrored.append(NotMirrored(test.node.unique_id, test.spec.check_id, why, side="gx"))

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
        path = (
            existing.files.get(node.unique_id)
            or settings.suites_dir / f"{safe_file_name(node.suite_name)}.json"
        )
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
    suite_paths = {c.path for c in changes}
    for path, new in sorted(yaml_changes.items()):
        old = path.read_bytes().decode("utf-8") if path.exists() else None
        changes.append(FileChange(path, old, new))

    all_specs = [*from_dbt, *inferred_specs, *hand_specs]
    not_mirrored: list[NotMirrored] = list(generated.not_mirrored)
    report = build_report(suites, all_specs, mirrored, not_mirrored)
    report.changed_files = [str(c.path) for c in changes]
    report.unattached_suites = [str(p) for p in existing.unattached]

    if write and changes:
        writes = [
            transaction.Write(c.path, c.new, settings.suites_dir if c.path in suite_paths else project.dir)
            for c in changes
        ]
        transaction.commit(writes, settings.root)  # all files or none, even across a kill -9
        record_written(project.dir, project.manifest_path, [c.path for c in changes if c.new is not None])
    changes += [FileChange(path, "", None) for path in leftover]  # --check: an interrupted run's debris
    report.changed_files += [str(path) for path in leftover]
    return GenerateResult(
        project, manifest, all_specs, changes, report, write and bool(changes), selected, reparsed
    )


def _stale_manifest_check(project: DbtProject, parse: bool, mode: str) -> list[str]:
    """The project files changed since the manifest was parsed ([] when --parse runs anyway)."""
    if parse:
        return []
    changed = changed_since_manifest(project.dir, project.manifest_path)
    check_yaml_syntax(project.dir, changed)
    if changed and mode == "fail":
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        raise StaleManifestError(
            f"the manifest is stale: {project.manifest_path} is older than {shown}",
            "run `dbt parse` (or `pef-gx generate --check --parse`) and check again",
        )
    return changed
