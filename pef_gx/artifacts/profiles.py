"""The dbt profile's target: which warehouse, where, with what threads.

dbt renders `{{ env_var(...) }}` in profiles.yml; we render the same subset (env_var and the as_* filters)
so pef-gx connects to exactly what dbt connects to. The password is never kept: only the name of the
environment variable it comes from, so GX configs and results can reference it as ${VAR}.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts.project import DbtProject, load_yaml_file
from pef_gx.errors import ConfigError, did_you_mean

SUPPORTED_TYPES = ("duckdb", "postgres", "spark")
SPARK_THRIFT_PORT = 10000
SPARK_CONNECT_PORT = 15002


@dataclass(frozen=True)
class Target:
    name: str
    type: str  # "duckdb" | "postgres" | "spark"
    schema: str
    threads: int = 1
    database: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password_env: str | None = None  # the env var holding the password, if any
    path: Path | None = None  # duckdb file, absolute
    extra: Mapping[str, Any] = field(default_factory=dict)
    # From pef-gx.yml `timeouts:` (see pef_gx.warehouse.timeouts): a checkpoint never waits forever.
    statement_timeout_s: float | None = None
    lock_timeout_s: float | None = None

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""

    @property
    def spark_method(self) -> str:
        """dbt-spark's `method`: session (Spark in this process), thrift, http, odbc."""
        return str(self.extra.get("method") or "thrift")

    @property
    def spark_conf(self) -> dict[str, str]:
        """dbt-spark's `server_side_parameters` (Spark settings), relative paths made absolute."""
        return {str(k): str(v) for k, v in (self.extra.get("server_side_parameters") or {}).items()}

    @property
    def connect_url(self) -> str | None:
        """The Spark Connect URL pef-gx validates through when Spark is a server (sc://host:port).

        From the profile's `connect_url` (dbt ignores the key), else SPARK_REMOTE, else the default port
        on the target's host. None for a session target: pef-gx then runs Spark itself."""
        url = self.extra.get("connect_url") or os.environ.get("SPARK_REMOTE")
        if url:
            return str(url)
        if self.spark_method == "session":
            return None
        return f"sc://{self.host or '127.0.0.1'}:{SPARK_CONNECT_PORT}"

    def describe(self) -> str:
        if self.type == "duckdb":
            return f"duckdb {self.path} (schema {self.schema})"
        if self.type == "spark":
            if self.spark_method == "session":
                master = self.spark_conf.get("spark.master", "local[*]")
                return f"spark session {master} (schema {self.schema})"
            # A Connect URL may carry a token after "/;" (Databricks): never shown.
            url = (self.connect_url or "").split("/;", 1)[0]
            return f"spark {self.spark_method} {self.host}:{self.port} via {url} (schema {self.schema})"
        return f"{self.type} {self.user}@{self.host}:{self.port}/{self.database} (schema {self.schema})"


class _EnvTracker:
    """env_var() for rendering, remembering which variables were read."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.used: list[str] = []

    def __call__(self, name: str, default: str | None = None) -> str:
        self.used.append(name)
        if name in self.environ:
            return self.environ[name]
        if default is None:
            raise ConfigError(
                f"profiles.yml uses env_var('{name}') with no default and {name} is not set",
                f"export {name}=...",
            )
        return str(default)


def _render(value: Any, tracker: _EnvTracker) -> Any:
    if isinstance(value, dict):
        return {k: _render(v, tracker) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, tracker) for v in value]
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return value
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(as_number=_as_number, as_bool=_as_bool, as_text=str, as_native=lambda v: v)
    try:
        return env.from_string(value).render(env_var=tracker)
    except jinja2.TemplateError as exc:
        raise ConfigError(f"profiles.yml value {value!r} cannot be rendered: {exc}") from None


_DERBY_NAME = re.compile(r"(databaseName=)([^;]+)")


def _spark_paths(rendered: dict[str, Any], base: Path) -> dict[str, Any]:
    """Spark settings with the warehouse and Derby paths made absolute against the project folder.

    dbt runs in the project folder, where Spark reads relative paths; pef-gx runs anywhere, so its own
    session must name the same folders absolutely (else it would open an empty metastore elsewhere)."""
    conf = dict(rendered.get("server_side_parameters") or {})
    warehouse = conf.get("spark.sql.warehouse.dir")
    if warehouse and "://" not in str(warehouse) and not Path(str(warehouse)).is_absolute():
        conf["spark.sql.warehouse.dir"] = str((base / str(warehouse)).resolve())
    for key in ("spark.hadoop.javax.jdo.option.ConnectionURL", "javax.jdo.option.ConnectionURL"):
        url = conf.get(key)
        if url:
            conf[key] = _DERBY_NAME.sub(
                lambda m: m[1] + (m[2] if Path(m[2]).is_absolute() else str((base / m[2]).resolve())),
                str(url),
            )
    return {**rendered, "server_side_parameters": conf} if conf else rendered


def _as_number(value: Any) -> float | int:
    text = str(value)
    return float(text) if "." in text else int(text)


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def find_profiles_file(project: DbtProject, profiles_dir: Path | None) -> Path:
    candidates = [profiles_dir] if profiles_dir else []
    if env_dir := os.environ.get("DBT_PROFILES_DIR"):
        candidates.append(Path(env_dir))
    candidates += [project.dir, Path.home() / ".dbt"]
    for folder in candidates:
        if (folder / "profiles.yml").is_file():
            return folder / "profiles.yml"
    where = profiles_dir or f"{project.dir} or ~/.dbt"
    raise ConfigError(f"no profiles.yml in {where}", "pass --profiles-dir or create profiles.yml")


def load_target(
    project: DbtProject,
    profiles_dir: Path | None,
    target_name: str | None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """Resolve the dbt target the way dbt does (profile from dbt_project.yml, default target)."""
    environ = os.environ if environ is None else environ
    profiles_file = find_profiles_file(project, profiles_dir)
    profiles = load_yaml_file(profiles_file, "profiles file") or {}
    if not isinstance(profiles, dict) or project.profile not in profiles:
        known = [k for k in profiles if k != "config"] if isinstance(profiles, dict) else []
        hint = did_you_mean(project.profile, known) or f"profiles there: {', '.join(known) or 'none'}"
        raise ConfigError(f"profile '{project.profile}' is not in {profiles_file}", hint)
    profile = profiles[project.profile] or {}
    outputs = profile.get("outputs") or {}
    tracker = _EnvTracker(environ)
    name = target_name or environ.get("DBT_TARGET") or _render(profile.get("target"), tracker)
    if not name:
        raise ConfigError(f"profile '{project.profile}' names no default target", "pass --target")
    if name not in outputs:
        hint = did_you_mean(name, outputs) or f"known targets: {', '.join(outputs) or 'none'}"
        raise ConfigError(f"unknown target '{name}' in profile '{project.profile}' ({profiles_file})", hint)

    raw = outputs[name] or {}
    password_env = None
    rendered: dict[str, Any] = {}
    for key, value in raw.items():
        before = len(tracker.used)
        rendered[key] = _render(value, tracker)
        if key in ("password", "pass") and len(tracker.used) > before:
            password_env = tracker.used[-1]
    kind = str(rendered.get("type", ""))
    if kind not in SUPPORTED_TYPES:
        raise ConfigError(
            f"target '{name}' is of type '{kind}', which pef-gx does not support yet",
            f"supported: {', '.join(SUPPORTED_TYPES)}",
        )
    if kind == "postgres" and rendered.get("password") and not password_env:
        # A literal password in profiles.yml: dbt allows it; we pass it on via an env var we set ourselves.
        password_env = "PEF_GX_TARGET_PASSWORD"
        os.environ.setdefault(password_env, str(rendered.get("password") or rendered.get("pass")))
    path = None
    if kind == "duckdb":
        raw_path = Path(str(rendered.get("path") or ":memory:"))
        # dbt resolves a relative path against its working directory; pef-gx always runs dbt in the project.
        path = raw_path if raw_path.is_absolute() else (project.dir / raw_path).resolve()
    if kind == "spark":
        rendered = _spark_paths(rendered, project.dir)
        if rendered.get("method") != "session" and not rendered.get("port"):
            rendered["port"] = SPARK_THRIFT_PORT
    default_schema = {"duckdb": "main", "postgres": "public", "spark": "default"}[kind]
    schema = rendered.get("schema") or default_schema
    port = rendered.get("port")
    return Target(
        name=name,
        type=kind,
        schema=str(schema),
        threads=int(rendered.get("threads") or 1),
        database=str(rendered.get("dbname") or rendered.get("database") or "") or None,
        host=str(rendered["host"]) if rendered.get("host") else None,
        port=int(port) if port else None,
        user=str(rendered["user"]) if rendered.get("user") else None,
        password_env=password_env,
        path=path,
        extra={k: v for k, v in rendered.items() if k not in ("password", "pass")},
    )
