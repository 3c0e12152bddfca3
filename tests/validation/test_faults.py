"""Faults around a checkpoint: missing grants, held locks, slow statements, a full disk, an absent server.

Each one is one line on stderr and exit 2, with nothing recorded: no results file replaced, no run in
the history, no alert storm. Run against the session's built workspaces (DuckDB and PostgreSQL).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.validation.conftest import Workspace, variant

pytestmark = [pytest.mark.integration]


def _suites(ws: Workspace, *names: str) -> dict[str, dict]:
    return {name: ws.suite(name) for name in names}


def _pg(sql: str, *, user: str = "postgres") -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user=user, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    assert "\\n" not in lines[0] and "\\t" not in lines[0]
    return lines[0]


def _history_runs(root: Path) -> int:
    import sqlite3

    path = root / ".pef-gx" / "history.sqlite"
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("select count(*) from runs").fetchone()[0])


# each fault exists on one engine: the session's workspace of that engine only (no skipped twin)
ONLY_POSTGRES = pytest.mark.parametrize("built_ws", ["postgres"], indirect=True)
ONLY_DUCKDB = pytest.mark.parametrize("built_ws", ["duckdb"], indirect=True)


@pytest.fixture
def role(built_ws: Workspace) -> str:
    """A login role with no grant at all on the workspace's schema; dropped after."""
    name = f"pef_noread_{uuid.uuid4().hex[:6]}"
    _pg(f"create role {name} login")
    yield name
    _pg(f"drop owned by {name}; drop role {name}")


@ONLY_POSTGRES
def test_missing_grants_are_named_not_reported_as_missing_tables(
    built_ws: Workspace, role: str, tmp_path: Path
) -> None:
    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders", "fct_orders"))
    (root / "pef-gx.yml").write_text(
        (root / "pef-gx.yml").read_text() + "alerts:\n  channels: [{type: file, path: alerts.jsonl}]\n"
    )
    env = {**ws.env, "DBT_USER": role}
    line = _one_error_line(run_cli("checkpoint", "--no-docs", cwd=root, env=env))
    assert "permission denied" in line and role in line, line
    assert f"GRANT USAGE ON SCHEMA {ws.schema} TO {role}" in line, line
    assert "does not exist" not in line
    assert not (root / ".pef-gx" / "results").exists(), "no results file for a run that could not read"
    assert _history_runs(root) == 0 and not (root / "alerts.jsonl").exists()

    _pg(f'grant usage on schema "{ws.schema}" to {role}')  # the schema, but no table
    line = _one_error_line(run_cli("checkpoint", "--no-docs", cwd=root, env=env))
    assert "cannot SELECT" in line and f"{ws.schema}." in line, line
    assert f"GRANT SELECT ON ALL TABLES IN SCHEMA {ws.schema} TO {role}" in line

    _pg(f'grant select on all tables in schema "{ws.schema}" to {role}')
    ok = run_cli("checkpoint", "--no-docs", cwd=root, env=env)
    assert ok.returncode in (0, 1), ok.stdout + ok.stderr
    assert (root / ".pef-gx" / "results" / "latest.json").is_file()


def _hold_lock(ws: Workspace, table: str, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """ACCESS EXCLUSIVE on `table` in another session for `seconds` (or until the event is set)."""
    import psycopg2

    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = psycopg2.connect(
            host="127.0.0.1",
            port=5432,
            user="postgres",
            dbname="postgres",
            application_name="pef-lock-holder",
        )
        with conn.cursor() as cur:
            cur.execute(f'lock table "{ws.schema}"."{table}" in access exclusive mode')
            locked.set()
            release.wait(seconds)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert locked.wait(15), "could not take the lock"
    return thread, release


@ONLY_POSTGRES
def test_a_held_lock_is_waited_for_with_progress_then_named(built_ws: Workspace, tmp_path: Path) -> None:
    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders"))
    thread, release = _hold_lock(ws, "stg_orders", 120)
    try:
        started = time.monotonic()
        proc = run_cli("checkpoint", "--no-docs", "--wait", "3", cwd=root, env=ws.env)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    line = _one_error_line(proc)
    assert elapsed < 60, f"gave up after {elapsed:.0f}s, not after the 3s asked"
    assert f"{ws.schema}.stg_orders is locked (AccessExclusiveLock)" in line, line
    assert "pef-lock-holder" in line and "pg_terminate_backend" in line
    assert "waiting for a lock" in proc.stderr  # progress while it waited
    assert not (root / ".pef-gx" / "results").exists()

    # released while the checkpoint waits: as soon as it says it is waiting (start-up time varies)
    thread, release = _hold_lock(ws, "stg_orders", 120)
    try:
        checkpoint = subprocess.Popen(
            [sys.executable, "-m", "pef_gx", "checkpoint", "--no-docs", "--wait", "60"],
            cwd=root,
            env={**os.environ, **ws.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert checkpoint.stderr is not None
        first = checkpoint.stderr.readline()  # blocks until the first progress line (or the end)
        release.set()
        stdout, rest = checkpoint.communicate(timeout=300)
    finally:
        release.set()
        thread.join()
    assert checkpoint.returncode in (0, 1), stdout + first + rest
    assert "waiting for a lock" in first, first + rest
    assert (root / ".pef-gx" / "results" / "latest.json").is_file()


@ONLY_POSTGRES
def test_statement_timeout_from_the_project_file(built_ws: Workspace, tmp_path: Path) -> None:
    ws = built_ws
    suite = ws.suite("stg_products")
    suite["expectations"].insert(
        0,
        {
            "type": "unexpected_rows_expectation",
            "kwargs": {"unexpected_rows_query": "select * from {batch} where pg_sleep(5) is null"},
            "meta": {"pef_gx": {"check_id": "slow", "kind": "unexpected_rows", "severity": "error"}},
        },
    )
    root = variant(ws, tmp_path / "v", {"stg_products": suite})
    (root / "pef-gx.yml").write_text(
        (root / "pef-gx.yml").read_text() + "timeouts:\n  statement_seconds: 1\n"
    )
    line = _one_error_line(run_cli("checkpoint", "--no-docs", cwd=root, env=ws.env))
    assert "statement timeout" in line and "timeouts.statement_seconds" in line, line
    assert not (root / ".pef-gx" / "results").exists()

    (root / "pef-gx.yml").write_text((root / "pef-gx.yml").read_text() + "  lock_seconds: nope\n")
    line = _one_error_line(run_cli("checkpoint", "--no-docs", cwd=root, env=ws.env))
    assert "timeouts.lock_seconds" in line and "number of seconds" in line


@ONLY_POSTGRES
def test_server_never_reachable_is_not_lost(built_ws: Workspace, tmp_path: Path) -> None:
    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders"))
    line = _one_error_line(run_cli("checkpoint", "--no-docs", cwd=root, env={**ws.env, "DBT_PORT": "1"}))
    assert line.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:1"), line
    assert "lost" not in line


@ONLY_DUCKDB
def test_duckdb_lock_names_the_holder_and_offers_wait(built_ws: Workspace, tmp_path: Path) -> None:
    import sys

    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders"))
    database = root / "dbt_project" / "pef_shop.duckdb"
    code = f"import duckdb, time; c = duckdb.connect({str(database)!r}); print('held', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        line = _one_error_line(run_cli("checkpoint", "--no-docs", "--wait", "1", cwd=root, env=ws.env))
    finally:
        holder.kill()
        holder.wait()
    assert f"(PID {holder.pid})" in line and "one writer process" in line and "--wait SECONDS" in line, line


# --- a full disk --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _small_disk(path: Path, size_kb: int):
    """A tmpfs of `size_kb` mounted at `path` (root only; skips elsewhere)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _fill(folder: Path, leave_kb: int) -> None:
    """Fill the file system of `folder` until about `leave_kb` remain."""
    free = shutil.disk_usage(folder).free
    size = max(free - leave_kb * 1024, 0)
    with open(folder / "ballast", "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * size)


@pytest.mark.parametrize("leave_kb,docs", [(8, True), (60, False), (160, False)])
@ONLY_DUCKDB
def test_full_disk_leaves_the_previous_state(
    built_ws: Workspace, tmp_path: Path, leave_kb: int, docs: bool
) -> None:
    """.pef-gx/ and gx/uncommitted on a small disk: whatever runs out, the last good run stays whole."""
    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders", "stg_customers", "fct_orders"))
    first = run_cli("checkpoint", "--no-docs", cwd=root, env=ws.env)
    assert first.returncode in (0, 1), first.stdout + first.stderr
    state = root / ".pef-gx"
    saved = tmp_path / "saved"
    shutil.copytree(state, saved)
    shutil.rmtree(state)
    disk = _small_disk(tmp_path / "disk", 2048)
    with disk as mount:
        shutil.copytree(saved, mount / "state")
        state.symlink_to(mount / "state")
        if docs:
            (root / "gx" / "uncommitted").mkdir(parents=True, exist_ok=True)
            shutil.rmtree(root / "gx" / "uncommitted")
            (mount / "gx").mkdir()
            (root / "gx" / "uncommitted").symlink_to(mount / "gx")
        before = {p.name: p.read_bytes() for p in (state / "results").iterdir()}
        runs_before = _history_runs(root)
        _fill(mount, leave_kb)
        args = ["checkpoint"] + ([] if docs else ["--no-docs"])
        proc = run_cli(*args, cwd=root, env=ws.env)
        line = _one_error_line(proc)
        assert "disk full" in line, line
        after = {p.name: p.read_bytes() for p in (state / "results").iterdir()}
        assert after == before, "results folder changed (a new file, or latest.json replaced)"
        (mount / "ballast").unlink()  # SQLite needs room for its WAL index even to read
        assert _history_runs(root) == runs_before
        again = run_cli("checkpoint", "--no-docs", cwd=root, env=ws.env)
        assert again.returncode in (0, 1), again.stdout + again.stderr
        assert _history_runs(root) == runs_before + 1
        latest = json.loads((state / "results" / "latest.json").read_text())
        assert (state / "results" / f"{latest['run_id']}.json").is_file()
        state.unlink()
        if docs:
            (root / "gx" / "uncommitted").unlink()


@ONLY_DUCKDB
def test_corrupt_history_says_so(built_ws: Workspace, tmp_path: Path) -> None:
    ws = built_ws
    root = variant(ws, tmp_path / "v", _suites(ws, "stg_orders"))
    (root / ".pef-gx").mkdir()
    (root / ".pef-gx" / "history.sqlite").write_bytes(os.urandom(8192))
    proc = run_cli("health", cwd=root, env=ws.env)
    line = _one_error_line(proc)
    assert "corrupt" in line and "move" in line and "writable" not in line, line
