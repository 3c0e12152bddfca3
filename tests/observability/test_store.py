"""The history store: round trip, retention, two writers at once, a writer killed mid-write, PostgreSQL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from pef_gx.observability.history import find_run, load_runs, open_store, record_run
from pef_gx.observability.store import open_postgres
from tests.conftest import REPO, drop_schema, require_postgres, run_cli
from tests.observability.helpers import make_run, settings_for

NODES = {"model.pef_shop.stg_orders": ("success", 1.0), "test.pef_shop.unique_x.1": ("pass", 0.2)}


def test_round_trip_and_replace(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    run = make_run(0, NODES, {"c1": "pass", "c2": "fail"}, rows={"model.pef_shop.stg_orders": 100})
    recorded = record_run(settings, run, scores={"overall": 91.5, "completeness": 88.0})
    assert recorded.status == "failed"  # c2 is an error-severity check that failed
    assert (tmp_path / ".pef-gx" / "history.sqlite").is_file()
    record_run(settings, run, scores={"overall": 90.0})  # same run id: replaced, not doubled
    with open_store(settings) as store:
        runs = load_runs(store)
        assert [r.run_id for r in runs] == ["run-0000"]
        stored = runs[0]
        assert stored.run["score"] == 90.0
        assert stored.nodes["model.pef_shop.stg_orders"]["execution_time"] == 1.0
        assert stored.checks["c2"]["status"] == "fail"
        assert stored.metrics[("model.pef_shop.stg_orders", "rows")]["value"] == 100
        assert find_run(store, "run-00").run_id == "run-0000"  # a unique prefix is enough


def test_retention_days_and_max_runs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, history={"retention_days": 10})
    for i in range(15):
        record_run(settings, make_run(i, NODES), now=(make_run(14).started_at))
    with open_store(settings) as store:
        kept = [r.run_id for r in load_runs(store)]
    assert kept[0] == "run-0004" and kept[-1] == "run-0014" and len(kept) == 11
    settings = settings_for(tmp_path, history={"retention_days": None, "max_runs": 3})
    record_run(settings, make_run(15, NODES))
    with open_store(settings) as store:
        assert [r.run_id for r in load_runs(store)] == ["run-0013", "run-0014", "run-0015"]
        # children of pruned runs are gone too
        assert store.query("select count(*) as n from {s}node_runs")[0]["n"] == 3 * len(NODES)


_WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from pef_gx.observability.history import record_run
    from tests.observability.helpers import make_run, settings_for

    root, run_id, pause = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    nodes = {{f"model.p.m{{i}}": ("success", 0.1) for i in range(3000)}}
    settings = settings_for(root, history={{"busy_timeout_s": 60}})
    if pause:
        # Pause inside the write transaction, after the run row and some nodes are written.
        from pef_gx.observability import store as store_mod
        original = store_mod.HistoryStore.executemany
        def slow(self, cur, sql, rows):
            original(self, cur, sql, rows)
            print("WRITING", flush=True)
            time.sleep(pause)
        store_mod.HistoryStore.executemany = slow
    record_run(settings, make_run(int(run_id[-2:]), nodes, run_id=run_id))
    print("DONE", flush=True)
    """
)


def _writer(tmp_path: Path, run_id: str, pause: float = 0.0) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER.format(repo=str(REPO)))
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), run_id, str(pause)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_two_runs_at_once_both_land(tmp_path: Path) -> None:
    record_run(settings_for(tmp_path), make_run(0, NODES))  # the file exists before the race
    procs = [_writer(tmp_path, f"concurrent-{i:02d}", pause=0.3) for i in (1, 2)]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "DONE" in out
    with open_store(settings_for(tmp_path)) as store:
        runs = {r.run_id: r for r in load_runs(store)}
        assert {"concurrent-01", "concurrent-02"} <= runs.keys()
        assert all(len(runs[k].nodes) == 3000 for k in ("concurrent-01", "concurrent-02"))


def test_killed_writer_leaves_the_store_consistent(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    record_run(settings, make_run(0, NODES))
    proc = _writer(tmp_path, "killed-00", pause=30)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "WRITING"  # mid-transaction: rows written, not committed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    path = tmp_path / ".pef-gx" / "history.sqlite"
    conn = sqlite3.connect(path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from runs where run_id = 'killed-00'").fetchone()[0] == 0
    assert conn.execute("select count(*) from node_runs where run_id = 'killed-00'").fetchone()[0] == 0
    conn.close()
    record_run(settings, make_run(1, NODES))  # the lock died with the process: the next run lands
    with open_store(settings) as store:
        assert [r.run_id for r in load_runs(store)] == ["run-0000", "run-0001"]


def test_unknown_setting_and_empty_history_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "pef-gx.yml").write_text("history:\n  retention_dayz: 3\n")
    result = run_cli("health", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "unknown key 'retention_dayz'" in result.stderr and "did you mean 'retention_days'" in result.stderr
    )
    (tmp_path / "pef-gx.yml").write_text("history:\n  backend: sqlite\n")
    for command in (["health"], ["explain"], ["alerts"]):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "no run history" in result.stderr and "pef-gx build" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / ".pef-gx").exists()  # reading never creates a store


def test_health_since_rejects_nonsense(tmp_path: Path) -> None:
    record_run(settings_for(tmp_path), make_run(0, NODES))
    (tmp_path / "pef-gx.yml").write_text("{}\n")
    result = run_cli("health", "--since", "last tuesday", cwd=tmp_path)
    assert result.returncode == 2 and "--since 'last tuesday'" in result.stderr
    result = run_cli("health", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2 and "unknown --format 'xml'" in result.stderr


@pytest.mark.integration
@pytest.mark.postgres
def test_postgres_backend_shared_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_postgres()
    schema = f"pef_hist_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PEF_TEST_HISTORY_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    settings = settings_for(
        tmp_path, history={"backend": "postgres", "schema": schema, "dsn_env": "PEF_TEST_HISTORY_DSN"}
    )
    try:
        for i in range(3):
            record_run(
                settings,
                make_run(i, NODES, {"c1": "pass"}, rows={"model.pef_shop.stg_orders": 100 + i}),
                scores={"overall": 90.0 + i},
            )
        # two CI jobs at once, from two processes
        procs = [_pg_writer(tmp_path, schema, f"pgjob-{i:02d}") for i in (1, 2)]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        with open_store(settings) as store:
            runs = {r.run_id: r for r in load_runs(store)}
            assert {"run-0000", "run-0001", "run-0002", "pgjob-01", "pgjob-02"} == runs.keys()
            assert runs["run-0002"].run["score"] == 92.0
            assert runs["pgjob-01"].nodes and not (tmp_path / ".pef-gx").exists()
        result = run_cli(
            "health",
            "--format",
            "json",
            cwd=_project_file(tmp_path, schema),
            env={"PEF_TEST_HISTORY_DSN": "host=127.0.0.1 user=postgres dbname=postgres"},
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["runs"] == 5
    finally:
        drop_schema(schema)


def _project_file(tmp_path: Path, schema: str) -> Path:
    folder = tmp_path / "cli"
    folder.mkdir(exist_ok=True)
    (folder / "pef-gx.yml").write_text(
        f"history:\n  backend: postgres\n  schema: {schema}\n  dsn_env: PEF_TEST_HISTORY_DSN\n"
    )
    return folder


def _pg_writer(tmp_path: Path, schema: str, run_id: str) -> subprocess.Popen:
    script = tmp_path / f"pg_{run_id}.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from pef_gx.observability.history import record_run
        from tests.observability.helpers import make_run, settings_for
        s = settings_for(Path({str(tmp_path)!r}), history={{"backend": "postgres", "schema": {schema!r},
                         "dsn_env": "PEF_TEST_HISTORY_DSN"}})
        nodes = {{f"model.p.m{{i}}": ("success", 0.1) for i in range(500)}}
        record_run(s, make_run({int(run_id[-2:]) + 10}, nodes, run_id={run_id!r}))
    """)
    )
    return subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )


def test_open_postgres_reports_unreachable_server(tmp_path: Path) -> None:
    from pef_gx.errors import DatabaseError

    start = time.monotonic()
    with pytest.raises(DatabaseError, match="cannot connect to the history database"):
        open_postgres("host=127.0.0.1 port=1 user=postgres dbname=postgres", "pef_gx_history", "test")
    assert time.monotonic() - start < 10


@pytest.mark.postgres
def test_postgres_backend_from_the_dbt_target(tmp_path: Path, sample_project: Path) -> None:
    require_postgres()
    from pef_gx.errors import ConfigError
    from pef_gx.settings import Settings

    schema = f"pef_hist_{uuid.uuid4().hex[:8]}"
    history = {"backend": "postgres", "schema": schema}

    def settings(target: str) -> Settings:
        return Settings(
            root=tmp_path,
            dbt_project_dir=sample_project,
            profiles_dir=sample_project,
            target=target,
            sections={"history": history},
        )

    with pytest.raises(ConfigError, match="needs a PostgreSQL connection"):
        record_run(settings("duckdb"), make_run(0, NODES))
    try:
        record_run(settings("postgres"), make_run(0, NODES))
        with open_store(settings("postgres")) as store:
            assert [r.run_id for r in load_runs(store)] == ["run-0000"]
            assert store.where.endswith(f"schema {schema}") and "postgres@127.0.0.1" in store.where
    finally:
        drop_schema(schema)
