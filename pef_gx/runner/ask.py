"""`pef-gx ask`: a plain-English request -> dbt tests or a dbt model, written, then checked by running dbt.

Steps: (dbt parse when target/manifest.json is missing or older than the project files) -> read the
manifest (+ catalog) -> interpret the request (pef_gx.generators.natural_language) -> plan every file's
new text -> write (atomically) -> verify: `dbt test` on the new tests (test requests) or `dbt build` of the
new model (model requests).

Outcomes: every check passes (exit 0); a check fails on the data (reported with its failing-row count,
kept: the user asked for a check and the data breaks it; exit 1); dbt cannot compile or run what was
written (every file this request wrote is restored byte for byte or removed, then DbtError: exit 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pef_gx.artifacts.json_artifact import load_artifact
from pef_gx.artifacts.manifest import MANIFEST_VERSIONS, Manifest, Node, read_catalog, read_manifest
from pef_gx.artifacts.profiles import load_target
from pef_gx.artifacts.project import DbtProject, load_dbt_project, load_yaml_file
from pef_gx.artifacts.run_results import read_run_results
from pef_gx.artifacts.staleness import record_written
from pef_gx.checks.spec import CheckSpec, Origin, OriginType, Severity
from pef_gx.errors import ConfigError, DbtError, OutputError, PefGxError
from pef_gx.generators.base import is_owned
from pef_gx.generators.natural_language import (
    GENERATED_FOLDER,
    USER_FOLDER,
    ModelIntent,
    NotUnderstood,
    PlannedCheck,
    ProjectIndex,
    TestIntent,
    list_templates,
    parse_request,
    render_model,
)
from pef_gx.generators.natural_language.custom import CustomTestIntent
from pef_gx.generators.natural_language.plan import parse_plan_text, plan_to_intent
from pef_gx.runner.dbt_cli import DbtInvocation, NodeEvent, run_dbt
from pef_gx.runner.llm_client import ask_for_plan, llm_config
from pef_gx.settings import Settings
from pef_gx.warehouse.columns import built_columns, small_value_sets
from pef_gx.warehouse.connection import check_reachable
from pef_gx.writers import gx_suite
from pef_gx.writers.atomic import check_writable, write_atomic
from pef_gx.writers.dbt_yaml import OwnedTest, plan_yaml
from pef_gx.writers.paths import inside
from pef_gx.writers.yaml_splice import Unsafe, insert_meta

_IGNORED_DIRS = {"target", "logs", "dbt_packages", ".git", "__pycache__", ".venv"}
_PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".py", ".md"}


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    old: str | None  # None: a new file
    new: str
    what: str  # "dbt properties", "GX suite", "model SQL"


@dataclass(frozen=True)
class CheckOutcome:
    check: PlannedCheck | None  # None: a test of a generated model
    test_name: str
    unique_id: str | None
    status: str  # pass | fail | warn | error | skipped | not run
    failures: int | None = None
    message: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "warn") and bool(self.failures)


@dataclass
class AskOutcome:
    request: str
    project: DbtProject
    intent: TestIntent | ModelIntent | CustomTestIntent
    files: list[PlannedFile]
    written: bool
    verified: bool
    checks: list[CheckOutcome] = field(default_factory=list)
    model_status: str | None = None  # model requests: dbt's status of the new model
    parsed: bool = False  # dbt parse ran first
    target: str | None = None  # where it was verified (description of the dbt target)

    @property
    def failed(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# ---------------------------------------------------------------------------------------------------
# manifest


def _newest_project_file(project_dir: Path) -> float:
    newest = 0.0
    for folder, dirs, files in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS and not d.startswith(".")]
        for name in files:
            if Path(name).suffix in _PROJECT_SUFFIXES:
                try:
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
                except OSError:
                    continue
    return newest


def _ensure_manifest(settings: Settings, project: DbtProject) -> bool:
    """Run `dbt parse` when the manifest is missing or older than a project file. True when it ran."""
    path = project.manifest_path
    if path.is_file() and path.stat().st_mtime >= _newest_project_file(project.dir):
        return False
    invocation = run_dbt(["parse"], project.dir, settings.profiles_dir, settings.target)
    if invocation.returncode != 0 or not path.is_file():
        raise DbtError(f"dbt parse failed: {_first_error(invocation)}", "fix the dbt project, then ask again")
    return True


def load_index(settings: Settings) -> tuple[DbtProject, Manifest, ProjectIndex, bool]:
    project = load_dbt_project(settings.dbt_project_dir)
    parsed = _ensure_manifest(settings, project)
    manifest = read_manifest(project.manifest_path)
    raw = load_artifact(project.manifest_path, "manifest", MANIFEST_VERSIONS, "dbt parse")
    columns = _built_columns(settings, project, manifest)
    values = _value_sets(settings, project, manifest, columns)
    index = ProjectIndex.from_manifest(manifest, raw, columns, values)
    return project, manifest, index, parsed


_TEXT = ("char", "text", "string")


def _value_sets(
    settings: Settings, project: DbtProject, manifest: Manifest, columns: dict[str, dict[str, str]]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """The few values of each text column of the built models and seeds (words a request filters by)."""
    wanted = {
        node.unique_id: (node.schema, node.identifier, names)
        for node in manifest.nodes.values()
        if node.resource_type in ("model", "seed", "snapshot") and node.schema
        for names in [
            [c for c, t in (columns.get(node.unique_id) or {}).items() if any(x in t.lower() for x in _TEXT)]
        ]
        if names
    }
    if not wanted:
        return {}
    try:
        target = load_target(project, settings.profiles_dir, settings.target)
    except ConfigError:
        return {}
    return small_value_sets(target, wanted)


def _built_columns(settings: Settings, project: DbtProject, manifest: Manifest) -> dict[str, dict[str, str]]:
    """The columns of the built relations: target/catalog.json when dbt wrote one, else the warehouse's
    information_schema (nothing when neither can be read: then only documented columns are known)."""
    columns = read_catalog(project.catalog_path)
    if columns:
        return columns
    try:
        target = load_target(project, settings.profiles_dir, settings.target)
    except ConfigError:
        return {}
    relations = {
        node.unique_id: (node.schema, node.identifier)
        for node in manifest.nodes.values()
        if node.schema and node.identifier
    }
    return built_columns(target, relations)


# ---------------------------------------------------------------------------------------------------
# planning


@dataclass(frozen=True)
class _KeptSpec(CheckSpec):
    """A test pef-gx wrote before, re-emitted as it is (its check_id as recorded in its marker)."""

    kept_id: str = ""

    @property
    def check_id(self) -> str:  # type: ignore[override]
        return self.kept_id


def _owned_tests_of(manifest: Manifest, node: Node) -> list[OwnedTest]:
    """pef-gx's own tests already on `node` (plan_yaml replaces all owned entries of a node it touches)."""
    kept: list[OwnedTest] = []
    for test in manifest.tests.values():
        if test.attached_node != node.unique_id or not is_owned(dict(test.meta)) or not test.test_name:
            continue
        own = dict(test.meta)["pef_gx"]
        origin = str(own.get("origin") or OriginType.INFERRED.value)
        spec = _KeptSpec(
            node_id=node.unique_id,
            kind="unexpected_rows",
            columns=(test.column_name,) if test.column_name else (),
            severity=Severity.WARN if test.severity == "warn" else Severity.ERROR,
            origin=Origin(
                OriginType(origin) if origin in {o.value for o in OriginType} else OriginType.INFERRED
            ),
            kept_id=str(own.get("check_id") or ""),
        )
        arguments = {k: v for k, v in test.kwargs.items() if k not in ("model", "column_name")}
        kept.append(OwnedTest(node, spec, test.qualified_name, arguments, test.column_name is not None))
    return kept


def _is_subsequence(old: str, new: str) -> bool:
    """Every non-blank line of `old` is still in `new`, in the same order (only additions)."""
    lines = iter(line for line in new.splitlines() if line.strip())
    return all(any(line == candidate for candidate in lines) for line in old.splitlines() if line.strip())


def _plan_test_files(
    settings: Settings, project: DbtProject, manifest: Manifest, intent: TestIntent
) -> list[PlannedFile]:
    new_checks = [c for c in intent.checks if not c.covered_by]
    if not new_checks:
        return []
    node = manifest.nodes[intent.model.unique_id]
    owned = _owned_tests_of(manifest, node)
    owned += [OwnedTest(node, c.spec, c.test_name, dict(c.arguments), c.column_level) for c in new_checks]
    files: list[PlannedFile] = []
    for path, text in sorted(plan_yaml(project.dir, [node], owned, manifest.dbt_version).items()):
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if text is None:
            continue
        if old is not None and not _is_subsequence(old, text):
            raise OutputError(
                f"adding the test to {path} would rewrite other entries of it; nothing was written",
                "run `pef-gx generate` first so pef-gx's own entries are up to date, then ask again",
            )
        files.append(PlannedFile(path, old, text, "dbt properties"))
    files += _plan_suite_file(settings, node, [c.spec for c in new_checks])
    return files


def _plan_suite_file(settings: Settings, node: Node, specs: list[CheckSpec]) -> list[PlannedFile]:
    """The node's GX suite with `specs` added (in the order `generate` writes: a later generate is a zero
    diff); nothing when they are there already."""
    files: list[PlannedFile] = []
    suite_path = settings.suites_dir / f"{node.suite_name}.json"
    fresh = gx_suite.build_suite(node, specs)
    if suite_path.exists():
        old_suite = suite_path.read_text(encoding="utf-8")
        try:
            data = json.loads(old_suite)
        except ValueError:
            raise OutputError(
                f"suite {suite_path} is not valid JSON", "fix or delete it, then ask again"
            ) from None
        ids = {e.get("id") for e in data.get("expectations") or [] if isinstance(e, dict)}
        merged = [
            *(data.get("expectations") or []),
            *(e for e in fresh["expectations"] if e["id"] not in ids),
        ]
        # the order `generate` writes, so a later generate is a zero diff
        data["expectations"] = gx_suite.sorted_expectations(merged)
        new_suite = gx_suite.dumps(data)
        if new_suite != old_suite:
            files.append(PlannedFile(suite_path, old_suite, new_suite, "GX suite"))
    else:
        files.append(PlannedFile(suite_path, None, gx_suite.dumps(fresh), "GX suite"))
    return files


def _plan_custom_files(
    settings: Settings, project: DbtProject, manifest: Manifest, intent: CustomTestIntent
) -> list[PlannedFile]:
    """The declaration in the model's properties file (its `config.meta.pef_gx`), and its suite copy."""
    node = manifest.nodes[intent.model.unique_id]
    if not node.properties_file:
        raise OutputError(
            f"{node.name} has no properties file to declare the test in",
            f"document it in a .yml beside {node.original_file_path}, then ask again",
        )
    path = inside(project.dir / node.properties_file, project.dir, f"the properties file of {node.name}")
    old = path.read_text(encoding="utf-8")
    try:
        new = insert_meta(old, node.resource_type, node.name, intent.key, intent.value)
    except Unsafe as why:
        raise OutputError(
            f"cannot declare the test in {path}: {why}",
            "edit the model's meta by hand (README: custom tests)",
        ) from None
    return [
        PlannedFile(path, old, new, "dbt properties"),
        *_plan_suite_file(settings, node, list(intent.specs)),
    ]


def _judge_custom(settings: Settings, intent: CustomTestIntent) -> list[CheckOutcome]:
    """The new test judged on the latest results (`pef-gx build` judges it from now on)."""
    from pef_gx.checks import custom_tests
    from pef_gx.observability.build_time import judge_build_time
    from pef_gx.results.writer import read_latest
    from pef_gx.scoring.formula import ScoringConfig
    from pef_gx.scoring.score_tests import judge_score

    try:
        run = read_latest(settings.root)
    except PefGxError:
        run = None
    node_id = intent.model.unique_id
    out = []
    for spec in intent.specs:
        name = f"{spec.kind} on {intent.model.name}"
        if run is None:
            out.append(
                CheckOutcome(None, name, None, "not run", message="no results yet: run `pef-gx build`")
            )
            continue
        if spec.kind == custom_tests.QUALITY_SCORE:
            verdict = judge_score(
                [c for c in run.checks if c.node_id == node_id],
                str(spec.params["dimension"]),
                float(spec.params["min"]),
                spec.severity.value,
                intent.model.name,
                ScoringConfig.from_section(settings.section("scoring")),
            )
            status, message = verdict.status, verdict.message
        else:
            node = next((n for n in run.dbt_nodes if n.unique_id == node_id), None)
            b = judge_build_time(node, spec.params.get("warn_after"), spec.params.get("error_after"), [])
            status, message = b.status, b.message
        status = {"fail": "fail", "error": "fail"}.get(status, status)
        failed = 1 if status in ("fail", "warn") else None
        out.append(CheckOutcome(None, name, None, status, failures=failed, message=message))
    return out


def _model_dir(project: DbtProject) -> Path:
    config = load_yaml_file(project.dir / "dbt_project.yml", "dbt project file") or {}
    paths = config.get("model-paths") or config.get("source-paths") or ["models"]
    return project.dir / str(paths[0]) / GENERATED_FOLDER


def _plan_model_files(
    project: DbtProject, manifest: Manifest, intent: ModelIntent, user_dir: Path | None = None
) -> list[PlannedFile]:
    folder = _model_dir(project)
    sql, yml = render_model(intent, manifest.dbt_version, user_dir)
    files = [
        PlannedFile(folder / f"{intent.name}.sql", None, sql, "model SQL"),
        PlannedFile(folder / f"{intent.name}.yml", None, yml, "dbt properties"),
    ]
    for planned in files:
        if planned.path.exists():
            raise OutputError(
                f"{planned.path} already exists; pef-gx does not overwrite it",
                "pass --name <another_name>, or delete the file",
            )
    return files


def _free_name(index: ProjectIndex, intent: ModelIntent, name_given: bool) -> ModelIntent:
    if intent.name not in index.models:
        return intent
    taken = index.models[intent.name]
    if name_given:
        raise NotUnderstood(
            f"a model named {intent.name} already exists ({taken.path})", "pass another --name"
        )
    alternative = f"{intent.name}_generated"
    if alternative in index.models:
        raise NotUnderstood(
            f"models {intent.name} and {alternative} already exist", "pass --name <new_model_name>"
        )
    note = f"{intent.name} already exists ({taken.path}): the new model is {alternative} (--name to choose)"
    return replace(intent, name=alternative, notes=(*intent.notes, note))


# ---------------------------------------------------------------------------------------------------
# writing and rolling back


class _Journal:
    """Every file this request writes, with what was there before, so a failure can put it all back."""

    def __init__(self) -> None:
        self.before: dict[Path, bytes | None] = {}
        self.new_dirs: list[Path] = []

    def prepare(self, paths: list[Path]) -> None:
        """Note the folders that do not exist yet (before anything, even a writability probe, makes them)."""
        for path in paths:
            probe = path.parent
            missing = []
            while not probe.exists():
                missing.append(probe)
                probe = probe.parent
            self.new_dirs.extend(d for d in reversed(missing) if d not in self.new_dirs)

    def write(self, planned: PlannedFile) -> None:
        path = planned.path
        if path not in self.before:
            self.before[path] = path.read_bytes() if path.exists() else None
        write_atomic(path, planned.new)

    def rollback(self) -> None:
        for path, data in self.before.items():
            if data is None:
                path.unlink(missing_ok=True)
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".restore", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        for folder in reversed(self.new_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()


# ---------------------------------------------------------------------------------------------------
# verifying


def _first_error(invocation: DbtInvocation) -> str:
    for message in invocation.errors:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        lines = [
            line for line in lines if not line.lower().startswith(("compilation error", "runtime error"))
        ] or lines
        if lines:
            return " ".join(lines[:2])[:300]
    return f"dbt exited with code {invocation.returncode}"


def _test_ids(project: DbtProject, check_ids: set[str]) -> dict[str, str]:
    """check_id -> unique_id of the test nodes carrying pef-gx's marker, in the manifest dbt just wrote."""
    if not project.manifest_path.is_file():
        return {}
    raw = load_artifact(project.manifest_path, "manifest", MANIFEST_VERSIONS, "dbt parse")
    found: dict[str, str] = {}
    for uid, node in (raw.get("nodes") or {}).items():
        if node.get("resource_type") != "test":
            continue
        meta = ((node.get("config") or {}).get("meta") or {}).get("pef_gx") or {}
        if meta.get("check_id") in check_ids:
            found[str(meta["check_id"])] = uid
    return found


def _results(project: DbtProject) -> dict[str, Any]:
    if not project.run_results_path.is_file():
        return {}
    return {r.unique_id: r for r in read_run_results(project.run_results_path).results}


def _hint_for(reason: str) -> str:
    low = reason.lower()
    if "does not exist" in low or "catalog error" in low:
        return "build the models first (pef-gx build), then ask again"
    return "fix the request (names, values of the column's type) and ask again"


def _verify_tests(
    settings: Settings, project: DbtProject, intent: TestIntent, on_node: Callable[[NodeEvent], None] | None
) -> list[CheckOutcome]:
    new = {c.spec.check_id: c for c in intent.checks if not c.covered_by}
    covered = {c.covered_by: c for c in intent.checks if c.covered_by}
    selectors = [f"config.meta.pef_gx.check_id:{cid}" for cid in new]
    selectors += [str(uid).split(".")[2] for uid in covered]
    invocation = run_dbt(
        ["test", "--select", *selectors], project.dir, settings.profiles_dir, settings.target, on_node=on_node
    )
    ids = _test_ids(project, set(new))
    results = _results(project) if invocation.returncode in (0, 1) else {}
    outcomes: list[CheckOutcome] = []
    problem: str | None = None
    for cid, check in new.items():
        uid = ids.get(cid)
        result = results.get(uid) if uid else None
        if result is None:
            problem = problem or _first_error(invocation)
            outcomes.append(CheckOutcome(check, check.test_name, uid, "not run"))
            continue
        outcomes.append(_outcome(check, uid, result))
        if result.status in ("error", "runtime error", "skipped"):
            problem = problem or (result.message or _first_error(invocation))
    for uid, check in covered.items():
        result = results.get(str(uid))
        if result is None:
            problem = problem or _first_error(invocation)
            outcomes.append(CheckOutcome(check, str(uid).split(".")[2], str(uid), "not run"))
            continue
        outcomes.append(_outcome(check, str(uid), result))
        if result.status in ("error", "runtime error", "skipped"):
            problem = problem or (result.message or _first_error(invocation))
    if problem is not None:
        raise _RunFailed(problem)
    return outcomes


def _outcome(check: PlannedCheck | None, uid: str, result: Any) -> CheckOutcome:
    status = "error" if result.status == "runtime error" else result.status
    return CheckOutcome(check, uid.split(".")[2], uid, status, result.failures, result.message)


class _RunFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = " ".join(str(reason).split())[:300]


def _verify_model(
    settings: Settings, project: DbtProject, intent: ModelIntent, on_node: Callable[[NodeEvent], None] | None
) -> tuple[str, list[CheckOutcome]]:
    invocation = run_dbt(
        ["build", "--select", intent.name],
        project.dir,
        settings.profiles_dir,
        settings.target,
        on_node=on_node,
    )
    results = _results(project) if invocation.returncode in (0, 1) else {}
    model_result = next(
        (r for uid, r in results.items() if uid.startswith("model.") and uid.split(".")[-1] == intent.name),
        None,
    )
    if model_result is None or model_result.status != "success":
        reason = (model_result.message if model_result else None) or _first_error(invocation)
        raise _RunFailed(reason)
    outcomes = [_outcome(None, uid, r) for uid, r in sorted(results.items()) if uid.startswith("test.")]
    broken = [o for o in outcomes if o.status in ("error", "skipped")]
    if broken:
        raise _RunFailed(broken[0].message or f"test {broken[0].test_name} could not run")
    return model_result.status, outcomes


def _reachable_target(settings: Settings, project: DbtProject) -> str | None:
    try:
        target = load_target(project, settings.profiles_dir, settings.target)
    except ConfigError:
        return None  # an adapter pef-gx does not read itself: dbt will say what is wrong
    check_reachable(target)
    return target.describe()


# ---------------------------------------------------------------------------------------------------
# entry point


def ask(
    settings: Settings,
    request: str,
    dry_run: bool = False,
    verify: bool = True,
    source: str | None = None,
    name: str | None = None,
    propose: bool = True,
    on_node: Callable[[NodeEvent], None] | None = None,
) -> AskOutcome:
    """Interpret `request`, write what it asks for, and (unless `verify` is False) run it with dbt."""
    project, manifest, index, parsed = load_index(settings)
    user_dir = settings.root / USER_FOLDER
    try:
        intent = parse_request(request, index, source=source, name=name, templates=list_templates(user_dir))
    except NotUnderstood as not_read:
        config = llm_config()
        if config is None:
            raise
        # the rule-based reader could not: a language model's plan, checked against the project
        answer = ask_for_plan(config, request, index)
        try:
            intent = plan_to_intent(index, request, parse_plan_text(answer), config.describe(), name)
        except NotUnderstood as refused:
            raise NotUnderstood(
                f"{not_read.message}; {config.describe()} was asked and its plan was refused: {refused.message}",
                "nothing was written",
            ) from None
    if isinstance(intent, TestIntent):
        if not propose:
            intent = replace(intent, checks=tuple(c for c in intent.checks if not c.proposed))
        files = _plan_test_files(settings, project, manifest, intent)
    elif isinstance(intent, CustomTestIntent):
        files = _plan_custom_files(settings, project, manifest, intent)
    else:
        intent = _free_name(index, intent, name is not None)
        files = _plan_model_files(project, manifest, intent, user_dir)
    outcome = AskOutcome(request, project, intent, files, written=False, verified=False, parsed=parsed)
    if dry_run:
        return outcome
    if verify and not isinstance(intent, CustomTestIntent):  # one clear line before anything is written
        outcome.target = _reachable_target(settings, project)
    journal = _Journal()
    journal.prepare([planned.path for planned in files])
    try:
        for planned in files:
            check_writable(planned.path)
        for planned in files:
            journal.write(planned)
        outcome.written = bool(files)
        if verify:
            if isinstance(intent, CustomTestIntent):  # no dbt test form: judged on the latest results
                outcome.checks = _judge_custom(settings, intent)
            elif isinstance(intent, TestIntent):
                outcome.checks = _verify_tests(settings, project, intent, on_node)
            else:
                outcome.model_status, outcome.checks = _verify_model(settings, project, intent, on_node)
            outcome.verified = True
    except _RunFailed as exc:
        journal.rollback()
        what = "the new tests" if isinstance(intent, TestIntent) else f"model {intent.name}"
        raise DbtError(
            f"dbt could not run {what}: {exc.reason}"
            + (" (every file this request wrote was restored)" if files else ""),
            _hint_for(exc.reason),
        ) from None
    except BaseException:
        journal.rollback()
        raise
    # pef-gx wrote these itself, in step with suites/: not a reason to call the manifest stale
    record_written(project.dir, project.manifest_path, [planned.path for planned in files])
    return outcome
