"""The database going away in the middle of a checkpoint: exit 2, one clear line, no results file written.

PostgreSQL: another connection terminates the checkpoint's backend (pg_terminate_backend) while a slow
check runs. DuckDB: the file is removed while the checkpoint is running (seen through /proc/<pid>/fd);
the next connection to it fails. In both cases the previous latest.json must stay as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.validation.conftest import Workspace, edit_expectations, variant

pytestmark = [pytest.mark.integration]


def _slow_suites(ws: Workspace, count: int, slow_sql: str) -> dict[str, dict]:
    """`count` copies of the stg_products suite, each with one slow unexpected-rows check first."""
    base = edit_expectations(ws.suite("stg_products"), lambda e: True)
    suites = {}
    for i in range(count):
        suite = json.loads(json.dumps(base))
        slow = {
            "type": "unexpected_rows_expectation",
            "kwargs": {"unexpected_rows_query": slow_sql},
            "meta": {"pef_gx": {"check_id": f"slow{i}", "kind": "unexpected_rows", "severity": "error"}},
        }
        suite["expectations"].insert(0, slow)
        suite["name"] = f"slow_{i}"
        suite.setdefault("meta", {}).setdefault("pef_gx", {})["node_id"] = "model.pef_shop.stg_products"
        suites[f"slow_{i}"] = suite
    return suites


def _start(ws: Workspace, root: Path) -> subprocess.Popen:
    env = {**os.environ, **ws.env}
    env.pop("PEF_GX_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "pef_gx", "checkpoint", "--no-docs"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _previous_results(root: Path) -> Path:
    """A results folder from an earlier run, which must survive untouched."""
    folder = root / ".pef-gx" / "results"
    folder.mkdir(parents=True)
    (folder / "latest.json").write_text('{"run_id": "earlier"}\n')
    return folder


def _assert_clean_exit(proc: subprocess.Popen, folder: Path, words: tuple[str, ...]) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: lost the database"), err
    assert any(w in err.lower() for w in words), err
    assert sorted(p.name for p in folder.iterdir()) == ["latest.json"]
    assert (folder / "latest.json").read_text() == '{"run_id": "earlier"}\n'


@pytest.mark.parametrize("built_ws", ["postgres"], indirect=True)
def test_postgres_backend_terminated_mid_run(built_ws: Workspace, tmp_path: Path) -> None:
    import psycopg2

    slow = "select 1 as x from {batch} where (select count(*) from (select pg_sleep(20)) s) = 0"
    root = variant(built_ws, tmp_path, _slow_suites(built_ws, 1, slow))
    folder = _previous_results(root)
    proc = _start(built_ws, root)
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    killed = 0
    try:
        # GX retries a failed metric query on a fresh connection, so one terminated backend is survived;
        # a database that stays away is not: terminate every pef-gx backend running the slow check until
        # the checkpoint gives up.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and proc.poll() is None:
            with conn.cursor() as cur:
                cur.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pef-gx' "
                    "and state = 'active' and query like '%pg_sleep(20)%' and pid <> pg_backend_pid()"
                )
                killed += len(cur.fetchall())
            time.sleep(0.2)
    finally:
        conn.close()
    assert killed, "the slow check never started"
    _assert_clean_exit(proc, folder, ("terminat", "server closed", "connection"))


@pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)
def test_duckdb_file_removed_mid_run(built_ws: Workspace, tmp_path: Path) -> None:
    slow = "select 1 as x from {batch} where (select count(*) from range(150000000) t(i) where i % 7 = 8) > 0"
    root = variant(built_ws, tmp_path, _slow_suites(built_ws, 6, slow), threads=1)
    folder = _previous_results(root)
    database = root / "dbt_project" / "pef_shop.duckdb"
    proc = _start(built_ws, root)
    fd_dir = Path(f"/proc/{proc.pid}/fd")
    deadline = time.monotonic() + 60
    opened = False
    while time.monotonic() < deadline and proc.poll() is None and not opened:
        with contextlib.suppress(OSError):
            opened = any(os.readlink(fd) == str(database) for fd in fd_dir.iterdir())
        time.sleep(0.05)
    assert opened, "the checkpoint never opened the DuckDB file"
    database.unlink()
    _assert_clean_exit(proc, folder, ("does not exist", "duckdb", "cannot open"))


def test_concurrent_validation_is_bounded_by_threads(
    built_ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    """Different tables validate at the same time, never more at once than the target's threads.

    Each worker holds one connection of its own; at the end every one is closed."""
    import threading

    from pef_gx.runner.checkpoint import run_checkpoint
    from pef_gx.settings import load_settings
    from pef_gx.validation import checkpoint as checkpoint_module

    names = ["stg_products", "stg_payments", "stg_orders", "stg_customers", "sales", "fct_orders"]
    root = variant(built_ws, tmp_path, {n: built_ws.suite(n) for n in names}, threads=2)
    for key, value in built_ws.env.items():
        monkeypatch.setenv(key, value)
    real = checkpoint_module.compiled_engine.validate_suite
    active, peak, seen_threads, lock = [0], [0], set(), threading.Lock()

    def observed(*args, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            seen_threads.add(threading.current_thread().name)
        try:
            time.sleep(0.3)  # let the pool start the next suite while this one runs
            return real(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(checkpoint_module.compiled_engine, "validate_suite", observed)
    run = run_checkpoint(load_settings(cwd=root), build_docs=False)
    assert peak[0] == 2 and len(seen_threads) == 2
    assert {c.suite for c in run.checks} == set(names)
    assert sum(1 for c in run.checks if c.status == "error") == 0
    if built_ws.engine == "duckdb":  # every engine was disposed: this process can open the file for writing
        import duckdb

        duckdb.connect(str(root / "dbt_project" / "pef_shop.duckdb")).close()
    assert (REPO / "suites").is_dir()  # the repository itself was not touched
