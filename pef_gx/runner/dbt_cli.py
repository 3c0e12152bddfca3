"""Run dbt as a subprocess and follow its structured (JSON) log.

A subprocess, not dbt's in-process runner: dbt then owns its own process (its plugin discovery, global
state and DuckDB's single-writer lock end with it), its working directory is the project (so relative
DuckDB paths mean the same to dbt and to pef-gx), and its JSON events give live per-node progress.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pef_gx.errors import DbtError


@dataclass(frozen=True)
class NodeEvent:
    """One node finished (or started), as dbt reported it while running."""

    unique_id: str
    name: str
    resource_type: str
    status: str  # success/pass/warn/fail/error/skipped ... ('started' for a start event)
    index: int
    total: int
    execution_time: float | None = None


@dataclass
class DbtInvocation:
    args: list[str]
    returncode: int
    errors: list[str] = field(default_factory=list)  # error-level messages dbt logged
    warnings: list[str] = field(default_factory=list)
    total_nodes: int = 0


def dbt_executable() -> str:
    """The dbt next to this Python first (the venv pef-gx runs in), then PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise DbtError(
            "dbt is not installed in this environment",
            "install pef-gx with its dependencies (dbt-core) in it",
        )
    return found


def run_dbt(
    command: Sequence[str],
    project_dir: Path,
    profiles_dir: Path | None = None,
    target: str | None = None,
    extra_env: dict[str, str] | None = None,
    on_node: Callable[[NodeEvent], None] | None = None,
) -> DbtInvocation:
    """Run `dbt <command>` in project_dir; call on_node for each node start/finish."""
    args = [dbt_executable(), *command, "--project-dir", str(project_dir), "--log-format", "json"]
    if profiles_dir:
        args += ["--profiles-dir", str(profiles_dir)]
    if target:
        args += ["--target", target]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(extra_env or {})}
    # pyspark's marker of a process that opened a Spark Connect session: inherited, it would turn
    # dbt-spark's local session into a Connect one without a URL
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    try:
        proc = subprocess.Popen(
            args, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except OSError as exc:
        raise DbtError(f"cannot start dbt: {exc}") from None
    invocation = DbtInvocation(args=args, returncode=-1)
    assert proc.stdout is not None
    for line in proc.stdout:
        _handle_line(line, invocation, on_node)
    invocation.returncode = proc.wait()
    return invocation


# dbt-spark's in-process JVM (method: session) logs to the same stream as dbt: its routine lines (log4j's
# default layout below INFO..WARN, and its banner) are not dbt's errors. Thousands per build.
_JVM_NOISE = re.compile(
    r"^(\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} (TRACE|DEBUG|INFO|WARN) |Using Spark's default log4j profile"
    r"|To adjust logging level use|Setting default log level to)"
)


def _handle_line(line: str, invocation: DbtInvocation, on_node: Callable[[NodeEvent], None] | None) -> None:
    if _JVM_NOISE.match(line):
        return
    try:
        event = json.loads(line)
        info, data = event["info"], event.get("data") or {}
    except (ValueError, KeyError, TypeError):
        if line.strip():  # dbt printed something that is not an event: keep it as context for errors
            invocation.errors.append(line.strip())
        return
    name, level = info.get("name", ""), info.get("level", "")
    if name == "ConcurrencyLine":
        invocation.total_nodes = int(data.get("node_count") or 0)
    elif level == "error":
        invocation.errors.append(str(data.get("exc") or info.get("msg") or "").strip())
    elif level == "warn":
        invocation.warnings.append(str(info.get("msg") or "").strip())
    node = data.get("node_info")
    if not node or on_node is None:
        return
    finished = name.endswith("Result") or name in ("SkippingDetails", "NodeFinished")
    if not finished and name != "LogStartLine":
        return
    status = str(data.get("status") or node.get("node_status") or "") if finished else "started"
    on_node(
        NodeEvent(
            unique_id=str(node.get("unique_id", "")),
            name=str(node.get("node_name", "")),
            resource_type=str(node.get("resource_type", "")),
            status=status.lower(),
            index=int(data.get("index") or 0),
            total=int(data.get("total") or invocation.total_nodes or 0),
            execution_time=data.get("execution_time"),
        )
    )


def dbt_parse(project_dir: Path, profiles_dir: Path | None = None, target: str | None = None) -> None:
    """`dbt parse`: write target/manifest.json; DbtError with dbt's first error line when it fails."""
    invocation = run_dbt(["parse"], project_dir, profiles_dir, target)
    if invocation.returncode != 0:
        detail = next((e for e in invocation.errors if e), f"exit code {invocation.returncode}")
        detail = " ".join(detail.split())  # one line: dbt's parse errors span many
        raise DbtError(f"dbt parse failed: {detail[:300]}", "fix the dbt project, then run again")
