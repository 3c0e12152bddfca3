"""Start or stop one local Spark server JVM: a Thrift server (for dbt `method: thrift`) with the Spark
Connect plugin (for pef-gx's validation), both bound to 127.0.0.1 only.

    python scripts/spark_server.py start [--dir DIR] [--thrift-port 10000] [--connect-port 15002]
    python scripts/spark_server.py stop  [--dir DIR]

DIR (default dbt_project/spark_server/, git-ignored) holds the server's own warehouse, Derby metastore,
log and pid file: one JVM owns that metastore, so dbt and pef-gx both go through the server. `start`
returns once both ports answer; `stop` ends the JVM and waits for it.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "dbt_project" / "spark_server"
START_TIMEOUT_S = 180


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _spark_submit() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-submit"


def start(folder: Path, thrift_port: int, connect_port: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    pid_file = folder / "server.pid"
    if pid_file.is_file() and _alive(int(pid_file.read_text())):
        print(f"Spark server already running (pid {pid_file.read_text().strip()})")
        return 0
    for port in (thrift_port, connect_port):
        if _port_open(port):
            print(f"port {port} on 127.0.0.1 is already in use (another Spark server?)", file=sys.stderr)
            return 2
    conf = {
        "spark.master": "local[2]",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        "spark.hadoop.hive.server2.thrift.bind.host": "127.0.0.1",
        "spark.hadoop.hive.server2.thrift.port": str(thrift_port),
        "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(connect_port),
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={folder / 'derby.log'}",
    }
    args = [str(_spark_submit()), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    args += ["--name", "pef-gx-spark-server", "spark-internal"]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    log = (folder / "server.log").open("ab")
    # Its own session, so `stop` can end spark-submit and the JVM it starts together.
    proc = subprocess.Popen(
        args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    pid_file.write_text(str(proc.pid))
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT_S:
        if proc.poll() is not None:
            print(f"Spark server exited with {proc.returncode}; see {folder / 'server.log'}", file=sys.stderr)
            pid_file.unlink(missing_ok=True)
            return 2
        if _port_open(thrift_port) and _port_open(connect_port):
            print(
                f"Spark server up in {time.monotonic() - started:.0f}s (pid {proc.pid}): "
                f"thrift 127.0.0.1:{thrift_port}, connect sc://127.0.0.1:{connect_port}"
            )
            return 0
        time.sleep(1)
    stop(folder)
    print(
        f"Spark server did not answer within {START_TIMEOUT_S}s; see {folder / 'server.log'}", file=sys.stderr
    )
    return 2


def stop(folder: Path) -> int:
    pid_file = folder / "server.pid"
    if not pid_file.is_file():
        print("no Spark server running (no pid file)")
        return 0
    pid = int(pid_file.read_text())
    if _alive(pid):
        os.killpg(pid, signal.SIGTERM)
        for _ in range(60):
            if not _alive(pid):
                break
            time.sleep(0.5)
        else:
            os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    print(f"Spark server stopped (pid {pid})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("PEF_SPARK_SERVER_DIR", DEFAULT_DIR)))
    parser.add_argument(
        "--thrift-port", type=int, default=int(os.environ.get("PEF_SPARK_THRIFT_PORT", 10000))
    )
    parser.add_argument(
        "--connect-port", type=int, default=int(os.environ.get("PEF_SPARK_CONNECT_PORT", 15002))
    )
    args = parser.parse_args(argv)
    folder = args.dir.resolve()
    if args.action == "start":
        return start(folder, args.thrift_port, args.connect_port)
    return stop(folder)


if __name__ == "__main__":
    sys.exit(main())
