"""Spark fixtures, shared by the whole test session (a JVM start costs 10-25 s on two cores):

- `spark_built`: a private workspace whose sample project dbt built on DuckDB and then on Spark (local
  session, its own warehouse and Derby metastore inside the copy);
- `spark_server`: one local Spark server JVM (Thrift + Spark Connect) on free ports, started by
  scripts/spark_server.py in a temporary folder, stopped at the end; its ports come back as env vars.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_workspace, dbt

SERVER_SCRIPT = REPO / "scripts" / "spark_server.py"


@dataclass(frozen=True)
class Built:
    root: Path  # the workspace (pef-gx.yml, dbt_project/, suites/)
    duckdb: dict[str, tuple[str, object]]  # unique_id -> (status, failures) of `dbt build` on DuckDB
    spark: dict[str, tuple[str, object]]  # the same on Spark

    @property
    def project(self) -> Path:
        return self.root / "dbt_project"


def node_results(target_dir: Path) -> dict[str, tuple[str, object]]:
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    return {r["unique_id"]: (r["status"], r.get("failures")) for r in results}


@pytest.fixture(scope="session")
def spark_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_workspace(tmp_path_factory.mktemp("spark") / "ws")
    project = root / "dbt_project"
    # dbt exits non-zero on the planted failing tests of neither engine (they warn), so check=True holds.
    dbt(project, "build", "--target", "duckdb", "--target-path", "target_duckdb")
    dbt(project, "build", "--target", "spark")
    return Built(root, node_results(project / "target_duckdb"), node_results(project / "target"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def spark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Env vars that point the `spark_server` target at a running local server (free ports: parallel-safe)."""
    folder = tmp_path_factory.mktemp("spark_server")
    thrift, connect = _free_port(), _free_port()
    args = [sys.executable, str(SERVER_SCRIPT)]
    where = ["--dir", str(folder)]
    started = subprocess.run(
        [*args, "start", *where, "--thrift-port", str(thrift), "--connect-port", str(connect)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = folder / "server.log"
    assert started.returncode == 0, (
        f"{started.stdout}{started.stderr}\n{log.read_text()[-3000:] if log.exists() else ''}"
    )
    try:
        yield {"PEF_SPARK_THRIFT_PORT": str(thrift), "PEF_SPARK_CONNECT_PORT": str(connect)}
    finally:
        subprocess.run([*args, "stop", *where], capture_output=True, timeout=120)
