"""Spark as a DB-API-like connection: `connect(target)` returns a SparkConnection for a `type: spark` target.

Two ways in, as the profile says:

- `method: session` (Spark in this process, local mode): a SparkSession configured exactly like
  dbt-spark's for that profile (same master, warehouse folder and Derby metastore). Derby admits one JVM
  at a time, so this session must start after dbt has exited and be gone before dbt runs again:
  `close()` stops it and ends its JVM, which releases the metastore.
- any other method (a Thrift server, a cluster): a Spark Connect session on the target's `connect_url`.

Queries run inside Spark; only their results (aggregates, a few rows) come to the driver.
Placeholders are `?` (qmark), bound by Spark itself, never pasted into the SQL text.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import warnings
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import DatabaseError
from pef_gx.warehouse.faults import first_line

PARAMSTYLE = "qmark"
SERVER_HINT = "is the Spark server running? start the local one with `make spark-server`"
_local_users = 0  # pinned by `reuse_local_session` (see there)


def described_columns(rows: Sequence[Sequence[Any]]) -> list[tuple[str, str]]:
    """(name, data type) of the rows of Spark's `DESCRIBE TABLE` (its session catalog has no
    information_schema): the columns come first, then a blank row and '#' sections (partitioning)."""
    out: list[tuple[str, str]] = []
    for name, data_type, *_ in rows:
        if not name or str(name).startswith("#"):
            break
        out.append((str(name), str(data_type)))
    return out


class SparkCursor:
    """execute / fetchall / fetchone / description / close, over a SparkSession."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._df: Any = None
        self._rows: list[tuple[Any, ...]] | None = None
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> SparkCursor:
        args = list(params) if params else None
        self._df = self._session.sql(sql, args=args) if args else self._session.sql(sql)
        self._rows = None
        schema = self._df.schema
        self.description = [
            (f.name, f.dataType.simpleString(), None, None, None, None, f.nullable) for f in schema
        ]
        return self

    def _fetch(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            if self._df is None:
                raise DatabaseError("fetch before execute on a Spark cursor")
            self._rows = [tuple(row) for row in self._df.collect()]
        return self._rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._fetch(), []
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self._fetch()
        return rows.pop(0) if rows else None

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows = self._fetch()
        taken, self._rows = rows[:size], rows[size:]
        return taken

    def close(self) -> None:
        self._df = self._rows = None

    def __enter__(self) -> SparkCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SparkConnection:
    """A DB-API-like connection over one SparkSession (`.session` for code that needs Spark itself)."""

    paramstyle = PARAMSTYLE

    def __init__(self, target: Target, session: Any, local: bool) -> None:
        self.target = target
        self.session = session
        self.local = local
        self._closed = False

    def cursor(self) -> SparkCursor:
        return SparkCursor(self.session)

    def commit(self) -> None:  # Spark has no transactions: every statement is final
        return None

    def rollback(self) -> None:
        return None

    def close(self) -> None:
        """Stop the session. A local one also ends its JVM (releasing Derby) unless it is pinned."""
        if self._closed:
            return
        self._closed = True
        if self.local:
            if _local_users == 0:
                stop_local_jvm()
        else:
            with contextlib.suppress(Exception):  # a Connect client: the server lives on
                self.session.stop()

    def __enter__(self) -> SparkConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect_spark(target: Target) -> SparkConnection:
    """A SparkConnection for the target: a local session (method session) or Spark Connect (a server)."""
    _require_pyspark()
    if target.spark_method == "session" and not target.extra.get("connect_url"):
        return SparkConnection(target, local_session(target), local=True)
    url = target.connect_url
    assert url is not None
    return SparkConnection(target, connect_session(url), local=False)


def check_spark_reachable(target: Target) -> None:
    """Fail fast before dbt runs: Java and pyspark for a session; both servers' ports otherwise."""
    _require_pyspark()
    if target.spark_method == "session" and not target.extra.get("connect_url"):
        _require_java()
        return
    if target.spark_method == "thrift" and target.host:
        _require_port(target.host, target.port or 10000, "Spark Thrift server")
    _require_connect_port(target.connect_url or "")


def _require_connect_port(url: str) -> None:
    parsed = urlparse(url.replace("sc://", "http://", 1))
    _require_port(parsed.hostname or "127.0.0.1", parsed.port or 15002, "Spark Connect server")


def local_session(target: Target) -> Any:
    """The SparkSession dbt-spark's `method: session` makes for this profile, in this process."""
    _require_java()
    # Spark binds its driver to the machine's external address unless told otherwise.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # pyspark marks a process that once opened a Spark Connect session with this variable, which child
    # processes inherit; it would turn this local (classic) session into a Connect one without a URL.
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    from pyspark.sql import SparkSession

    conf = target.spark_conf
    builder = SparkSession.builder.enableHiveSupport()
    builder = builder.master(conf.get("spark.master", "local[*]")).appName("pef-gx")
    builder = builder.config("spark.ui.showConsoleProgress", "false")  # no progress bars in pef-gx's output
    warehouse = conf.get("spark.sql.warehouse.dir")
    if warehouse and "://" not in warehouse and "spark.driver.extraJavaOptions" not in conf:
        # Derby writes derby.log into the working directory unless told: keep it beside the warehouse.
        log = os.path.join(os.path.dirname(warehouse.rstrip("/")), "derby.log")
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dderby.stream.error.file={log}")
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        session.sql("show databases").collect()  # opens the metastore now, so a held Derby fails here
    except Exception as exc:
        stop_local_jvm()
        raise _local_error(target, exc) from None
    return session


def connect_session(url: str) -> Any:
    """A Spark Connect session on `url` (sc://host:port), checked with one round trip.

    pyspark's client retries an unreachable server for about ten minutes, silently: the port is checked
    first, and the first round trip retries a few seconds only (the run keeps pyspark's policy after)."""
    from pyspark.sql import SparkSession
    from pyspark.sql.connect.client.retries import DefaultPolicy

    _require_connect_port(url)
    session = None
    try:
        with warnings.catch_warnings():  # pyspark warns RETRIES_EXCEEDED before it raises: one line is ours
            warnings.simplefilter("ignore")
            session = SparkSession.builder.remote(url).getOrCreate()
            patient = session.client.get_retry_policies()
            session.client.set_retry_policies([DefaultPolicy(max_retries=3, max_backoff=1000)])
            session.sql("select 1").collect()
    except Exception as exc:
        if session is not None:
            with contextlib.suppress(Exception), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                session.stop()  # under the short policy: stopping retries too
        shown = url.split("/;", 1)[0]  # a token may follow "/;" (Databricks): never shown
        raise DatabaseError(
            f"cannot reach Spark Connect at {shown}: {_rpc_reason(exc)}", SERVER_HINT
        ) from None
    session.client.set_retry_policies(patient)
    return session


def _rpc_reason(exc: BaseException) -> str:
    """gRPC's status and details ("UNAVAILABLE: ..."), not the repr of its call object."""
    for error in (exc, exc.__cause__, exc.__context__):  # pyspark wraps the gRPC call in its own error
        code, details = getattr(error, "code", None), getattr(error, "details", None)
        if callable(code) and callable(details):
            with contextlib.suppress(Exception):
                return f"{code().name}: {first_line(details())}"
    return first_line(exc)


def stop_local_jvm() -> None:
    """Stop the local SparkSession and end its JVM: Derby's lock on the metastore goes with it.

    `SparkSession.stop()` alone keeps the JVM (and the metastore) alive for the next session of this
    process; dbt, a separate process, would then find the metastore held."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession() if SparkContext._active_spark_context else None
    with contextlib.suppress(Exception):
        if active is not None:
            active.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    with contextlib.suppress(Exception):
        gateway.shutdown()
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        with contextlib.suppress(Exception):
            proc.stdin.close()  # the JVM exits when its stdin closes
            proc.wait(timeout=30)
        with contextlib.suppress(Exception):
            proc.kill()
    SparkContext._gateway = None
    SparkContext._jvm = None


@contextlib.contextmanager
def reuse_local_session() -> Iterator[None]:
    """Within this block, closing a local Spark connection keeps its JVM for the next one; at the end the
    JVM stops. For a run that opens several connections in a row (one JVM start, ~8 s, instead of many)."""
    global _local_users
    _local_users += 1
    try:
        yield
    finally:
        _local_users -= 1
        if _local_users == 0:
            stop_local_jvm()


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise DatabaseError(
            "the target is Spark but pyspark is not installed",
            'install pef-gx with its extra: pip install "pef-gx[spark]"',
        ) from None


def _require_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "java")):
        return
    if shutil.which("java") is None:
        raise DatabaseError(
            "Spark needs Java, and no `java` is on PATH (nor JAVA_HOME set)",
            "install a Java 17+ runtime, e.g. apt-get install openjdk-17-jre-headless (make setup does it)",
        )


def _require_port(host: str, port: int, what: str) -> None:
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        raise DatabaseError(
            f"cannot connect to the {what} at {host}:{port}: {exc.strerror or exc}", SERVER_HINT
        ) from None


def _local_error(target: Target, exc: BaseException) -> DatabaseError:
    text = str(exc)
    if "Another instance of Derby" in text or "Failed to start database" in text or "XSDB6" in text:
        url = target.spark_conf.get("spark.hadoop.javax.jdo.option.ConnectionURL", "the Derby metastore")
        return DatabaseError(
            f"the Spark metastore ({url}) is held by another process: Derby admits one JVM at a time",
            "let that process (dbt, a notebook, another pef-gx) finish, or use a Spark server (`make spark-server`)",
        )
    if "JAVA_GATEWAY_EXITED" in text or "Java gateway process exited" in text:
        return DatabaseError(
            f"Spark could not start its JVM: {first_line(exc)}",
            "is a Java 17+ runtime installed (java -version)? make setup installs one",
        )
    return DatabaseError(f"cannot start Spark for {target.describe()}: {first_line(exc)}", None)
