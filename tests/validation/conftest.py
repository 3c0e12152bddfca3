"""One built workspace per engine (session scope: tests only read it), and private variants of it for tests that edit things.

`built_ws` copies the repository layout, generates the suites when the copy has none (the sample
project's real suites), and runs `pef-gx build` (dbt build + checkpoint) on DuckDB or on PostgreSQL in
a schema of its own. `variant()` makes a private root next to it: its own pef-gx.yml, suites, gx/ and a
copy of the dbt project (artifacts and DuckDB file included) whose manifest a test may edit.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_workspace, drop_schema, postgres_available, run_cli

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class Workspace:
    root: Path
    engine: str  # duckdb | postgres
    env: dict[str, str]
    build: Any  # CompletedProcess of `pef-gx build`
    schema: str = "main"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def suites_dir(self) -> Path:
        return self.root / "suites"

    def suite(self, name: str) -> dict[str, Any]:
        return json.loads((self.suites_dir / f"{name}.json").read_text())

    def latest(self, root: Path | None = None) -> dict[str, Any]:
        return json.loads(((root or self.root) / ".pef-gx" / "results" / "latest.json").read_text())

    @property
    def duckdb_path(self) -> Path:
        return self.root / "dbt_project" / "pef_shop.duckdb"

    def sql(self, statement: str, root: Path | None = None) -> list[tuple]:
        """Run SQL on this workspace's warehouse (DuckDB: the file of `root`'s project copy)."""
        if self.engine == "duckdb":
            import duckdb

            path = (root or self.root) / "dbt_project" / "pef_shop.duckdb"
            con = duckdb.connect(str(path))
            try:
                cur = con.execute(statement)
                return cur.fetchall() if cur.description else []
            finally:
                con.close()
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


def _build_workspace(base: Path, engine: str) -> Workspace:
    root = copy_workspace(base / "ws")
    env: dict[str, str] = {}
    schema = "main"
    if engine == "postgres":
        schema = f"pef_test_{uuid.uuid4().hex[:8]}"
        env = {"DBT_SCHEMA": schema, "PEF_GX_TARGET": "postgres"}
    if not any((root / "suites").glob("*.json")):
        gen = run_cli("generate", "--parse", "-q", cwd=root, env=env)
        assert gen.returncode == 0, gen.stdout + gen.stderr
    build = run_cli("build", cwd=root, env=env)
    assert build.returncode in (0, 1), build.stdout + build.stderr
    return Workspace(root=root, engine=engine, env=env, build=build, schema=schema)


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def built_ws(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    engine = request.param
    if engine == "postgres":
        reason = postgres_available()
        if reason:
            if os.environ.get("PEF_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"{reason} (PEF_REQUIRE_POSTGRES=1)")
            pytest.skip(reason)
    ws = _build_workspace(tmp_path_factory.mktemp(f"ws-{engine}"), engine)
    try:
        yield ws
    finally:
        if engine == "postgres":
            drop_schema(ws.schema)


def edit_expectations(
    suite: dict[str, Any],
    keep: Callable[[dict[str, Any]], bool],
    change: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """A copy of `suite` with only the expectations `keep` accepts, each passed through `change`."""
    copy = json.loads(json.dumps(suite))
    copy["expectations"] = [e for e in copy["expectations"] if keep(e)]
    for expectation in copy["expectations"]:
        if change:
            change(expectation)
    return copy


def pef(expectation: Mapping[str, Any]) -> dict[str, Any]:
    return expectation.setdefault("meta", {}).setdefault("pef_gx", {})  # type: ignore[union-attr]


def variant(
    ws: Workspace,
    dest: Path,
    suites: Mapping[str, Mapping[str, Any]],
    manifest_edit: Callable[[dict[str, Any]], None] | None = None,
    threads: int | None = None,
) -> Path:
    """A private root: pef-gx.yml, the given suites, a fresh gx/, and a copy of the built dbt project."""
    dest.mkdir(parents=True, exist_ok=True)
    project = dest / "dbt_project"
    shutil.copytree(ws.root / "dbt_project", project, ignore=shutil.ignore_patterns("logs", "*.wal"))
    if manifest_edit:
        path = project / "target" / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest_edit(manifest)
        path.write_text(json.dumps(manifest))
    if threads is not None:
        profiles = project / "profiles.yml"
        profiles.write_text(profiles.read_text().replace("threads: 4", f"threads: {threads}"))
    (dest / "suites").mkdir()
    for name, suite in suites.items():
        (dest / "suites" / f"{name}.json").write_text(json.dumps(suite, indent=2))
    (dest / "pef-gx.yml").write_text(
        "dbt_project_dir: dbt_project\nprofiles_dir: dbt_project\ngx_dir: gx\nsuites_dir: suites\n"
    )
    return dest


def results_of(root: Path) -> dict[str, Any]:
    return json.loads((root / ".pef-gx" / "results" / "latest.json").read_text())


def checks_by(results: Mapping[str, Any], **where: Any) -> list[dict[str, Any]]:
    return [c for c in results["checks"] if all(c.get(k) == v for k, v in where.items())]
