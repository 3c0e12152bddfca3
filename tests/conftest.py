"""Shared fixtures: the sample dbt project copied into tmp_path, a PostgreSQL schema per session, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "dbt_project"
# The dbt tests the sample project's planted defects make warn (dbt_project/README.md), none error.
PLANTED = frozenset(
    {
        "not_null_raw_customers_email",
        "not_null_stg_customers_email",
        "unique_raw_orders_order_id",
        "accepted_range_stg_payments_amount__10000__0",
        "relationships_stg_order_items_product_id__product_id__ref_stg_products_",
        "relationships_sales_product_id__product_id__ref_stg_products_",
        "recency_stg_orders_day__loaded_at__30",
        "expression_is_true_stg_customers_updated_at_current_timestamp",
    }
)
_IGNORED = shutil.ignore_patterns(
    "target",
    "logs",
    "dbt_packages",
    "*.duckdb",
    "*.duckdb.wal",
    ".user.yml",
    "spark_local",
    "spark_server",
    "derby.log",
)


def copy_sample_project(dest: Path) -> Path:
    """A private copy of the sample dbt project (tests mutate copies, never the repo)."""
    shutil.copytree(SAMPLE, dest, ignore=_IGNORED)
    return dest


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600):
    """Run the real `pef-gx` command line in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, "PEF_GX_DEBUG": "", **(env or {})}
    full_env.pop("PEF_GX_DEBUG")
    return subprocess.run(
        [sys.executable, "-m", "pef_gx", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


DBT = str(Path(sys.executable).parent / "dbt")


def dbt(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    """Run dbt itself in a (copied) project with its own profiles.yml; fail the test when dbt fails."""
    proc = subprocess.run(
        [DBT, *args, "--profiles-dir", ".", "--project-dir", "."],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return proc


def clone(src: Path, dest: Path) -> Path:
    """Copy a prepared (parsed or built) workspace so a test can mutate it."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("logs", "*.duckdb.wal"))
    return dest


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under root but dbt's target/ and logs/, .pef-gx/ and the warehouse file, with its bytes:
    for 'nothing changed' checks."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (
            path.is_file()
            and not {"target", "logs", ".pef-gx"} & set(rel.parts)
            and ".duckdb" not in path.name
        ):
            out[str(rel)] = path.read_bytes()
    return out


def postgres_available() -> str | None:
    """None when the local PostgreSQL answers, else the reason."""
    try:
        import psycopg2

        psycopg2.connect(
            host=os.environ.get("DBT_HOST", "127.0.0.1"),
            port=int(os.environ.get("DBT_PORT", "5432")),
            user=os.environ.get("DBT_USER", "postgres"),
            password=os.environ.get("DBT_PASSWORD", ""),
            dbname=os.environ.get("DBT_DATABASE", "postgres"),
            connect_timeout=3,
        ).close()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable: {str(exc).strip().splitlines()[0]}"


def require_postgres() -> None:
    reason = postgres_available()
    if reason:
        if os.environ.get("PEF_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (PEF_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


def drop_schema(schema: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop schema if exists "{schema}" cascade')
    conn.close()


def copy_workspace(dest: Path) -> Path:
    """A private copy of the whole repository layout a user has: pef-gx.yml, dbt_project/, gx/, suites/.

    Run the CLI with cwd=dest so every path (results, history, Data Docs) stays inside the copy.
    """
    dest.mkdir(parents=True, exist_ok=True)
    copy_sample_project(dest / "dbt_project")
    shutil.copy2(REPO / "pef-gx.yml", dest / "pef-gx.yml")
    for folder in ("gx", "suites"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns("uncommitted"))
    return dest


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    return copy_sample_project(tmp_path / "dbt_project")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """tmp_path laid out like this repository (see copy_workspace)."""
    return copy_workspace(tmp_path / "ws")


@pytest.fixture
def pg_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Environment for the sample project's `postgres` target with a schema of its own, dropped after."""
    require_postgres()
    schema = f"pef_test_{uuid.uuid4().hex[:8]}"
    env = {"DBT_SCHEMA": schema}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        yield env
    finally:
        drop_schema(schema)
