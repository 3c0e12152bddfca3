"""The GX context and data sources, built from gx/great_expectations.yml and the dbt target.

pef-gx reads the committed file context (gx/great_expectations.yml) and runs an in-memory (ephemeral)
context with the same stores and Data Docs site, their folders made absolute. That way a validation
never rewrites the committed file, and the data sources, which depend on the dbt target of this run,
live only in memory. A PostgreSQL password is passed as `${ENV_VAR}` (GX resolves it from the
environment at connection time), so it is not in any file GX writes.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.artifacts.profiles import Target
from pef_gx.errors import ConfigError
from pef_gx.warehouse.connection import APPLICATION_NAME

CONNECT_TIMEOUT_S = 5

PAGE_RENDERER = {
    "module_name": "pef_gx.validation.renderers",
    "class_name": "PefValidationResultsPageRenderer",
}
GX_SECTION_BUILDER = "DefaultSiteSectionBuilder"  # replaced by pef-gx's subclass of it
SECTION_BUILDER = {"class_name": "PefSiteSectionBuilder", "module_name": "pef_gx.validation.site_sections"}
DEFAULT_CONFIG = (Path(__file__).parent / "great_expectations.yml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class GxPaths:
    gx_dir: Path
    suites_dir: Path
    validations_dir: Path
    docs_dir: Path  # the local Data Docs site folder (index.html in it)
    plugins_dir: Path

    @property
    def docs_index(self) -> Path:
        return self.docs_dir / "index.html"

    @property
    def custom_styles_dir(self) -> Path:
        return self.plugins_dir / "custom_data_docs" / "styles"


def ensure_gx_dir(gx_dir: Path, suites_dir: Path) -> Path:
    """gx/great_expectations.yml, written from pef-gx's default when the folder has none yet."""
    config_file = gx_dir / "great_expectations.yml"
    if not config_file.is_file():
        try:
            gx_dir.mkdir(parents=True, exist_ok=True)
            rel = os.path.relpath(suites_dir, gx_dir)
            config_file.write_text(DEFAULT_CONFIG.replace("../suites/", f"{rel}/"), encoding="utf-8")
            styles = gx_dir / "plugins" / "custom_data_docs" / "styles"
            styles.mkdir(parents=True, exist_ok=True)
            from pef_gx.validation.docs import DEFAULT_STYLES

            (styles / "data_docs_custom_styles.css").write_text(DEFAULT_STYLES, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot create the GX context in {gx_dir}: {exc.strerror}") from None
    return config_file


def _load_config(gx_dir: Path, suites_dir: Path) -> tuple[dict[str, Any], GxPaths]:
    import yaml

    config_file = ensure_gx_dir(gx_dir, suites_dir)
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{config_file} is not valid YAML: {exc}", "fix it or delete it to recreate"
        ) from None

    def absolute(value: str) -> Path:
        path = Path(value)
        return (path if path.is_absolute() else gx_dir / path).resolve()

    try:
        stores = config["stores"]
        for store in stores.values():
            backend = store.get("store_backend") or {}
            if "base_directory" in backend:
                backend["base_directory"] = str(absolute(backend["base_directory"]))
        site = next(iter(config["data_docs_sites"].values()))
        site["store_backend"]["base_directory"] = str(absolute(site["store_backend"]["base_directory"]))
        # GX's renderer hook: validation pages say "Warning" when only warn-severity checks failed
        sections = site.setdefault("site_section_builders", {})
        validations = sections.setdefault("validations", {}) if isinstance(sections, dict) else None
        if isinstance(validations, dict):  # (a user may have turned the section off: "0")
            validations.setdefault("renderer", PAGE_RENDERER)
        # a run renders its own pages without reading the whole history (pef_gx.validation.site_sections)
        for name in ("expectations", "validations", "profiling") if isinstance(sections, dict) else ():
            section = sections.setdefault(name, {})
            if (
                isinstance(section, dict)
                and section.get("class_name", GX_SECTION_BUILDER) == GX_SECTION_BUILDER
            ):
                section.update(SECTION_BUILDER)
        expectations_dir = Path(stores[config.get("expectations_store_name", "expectations_store")]
                                ["store_backend"]["base_directory"])  # fmt: skip
        validations_dir = Path(stores[config.get("validation_results_store_name", "validation_results_store")]
                               ["store_backend"]["base_directory"])  # fmt: skip
    except (KeyError, TypeError, StopIteration, AttributeError):
        raise ConfigError(
            f"{config_file} lacks the stores or the data_docs_sites pef-gx needs",
            "delete it and run again: pef-gx writes a default one",
        ) from None
    if expectations_dir != suites_dir.resolve():
        raise ConfigError(
            f"the expectations store in {config_file} points at {expectations_dir}, not at {suites_dir}",
            "set stores.expectations_store.store_backend.base_directory to the suites folder",
        )
    plugins = absolute(str(config.get("plugins_directory") or "plugins/"))
    config["plugins_directory"] = str(plugins)
    config.pop("config_variables_file_path", None)
    config["analytics_enabled"] = False
    paths = GxPaths(
        gx_dir=gx_dir,
        suites_dir=suites_dir,
        validations_dir=validations_dir,
        docs_dir=Path(site["store_backend"]["base_directory"]),
        plugins_dir=plugins,
    )
    return config, paths


def gx_paths(gx_dir: Path, suites_dir: Path) -> GxPaths:
    return _load_config(gx_dir, suites_dir)[1]


def quiet_gx() -> None:
    """No progress bars or log chatter from GX on our output: its errors reach the results instead."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    level = logging.DEBUG if os.environ.get("PEF_GX_DEBUG") else logging.CRITICAL
    logging.getLogger("great_expectations").setLevel(level)


def make_context(gx_dir: Path, suites_dir: Path) -> tuple[Any, GxPaths]:
    """An in-memory GX context with the stores and Data Docs site of gx/great_expectations.yml."""
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

    config, paths = _load_config(gx_dir, suites_dir)
    config["progress_bars"] = ProgressBarsConfig(globally=False, metric_calculations=False)
    try:
        project_config = DataContextConfig(**config)
    except Exception as exc:  # GX validates the config with marshmallow / its own checks
        raise ConfigError(f"{gx_dir / 'great_expectations.yml'} is not a valid GX config: {exc}") from None
    context = gx.get_context(mode="ephemeral", project_config=project_config)
    return context, paths


def connection_string(target: Target) -> str:
    """SQLAlchemy URL for GX; a PostgreSQL password appears only as ${ENV_VAR}."""
    if target.type == "duckdb":
        assert target.path is not None
        return f"duckdb:///{target.path}"
    from urllib.parse import quote

    user = quote(target.user or "", safe="")
    password = f":${{{target.password_env}}}" if target.password_env and target.password else ""
    host = target.host or "127.0.0.1"
    port = target.port or 5432
    return f"postgresql+psycopg2://{user}{password}@{host}:{port}/{quote(target.database or '', safe='')}"


def engine_kwargs(target: Target) -> dict[str, Any]:
    if target.type == "duckdb":
        # Read-only and no pool: the file is held only while a query runs, so dbt (another process) can
        # take its single-writer lock as soon as a validation ends.
        from sqlalchemy.pool import NullPool

        return {"connect_args": {"read_only": True}, "poolclass": NullPool}
    from pef_gx.warehouse.timeouts import postgres_options

    connect_args: dict[str, Any] = {
        "application_name": APPLICATION_NAME,
        "connect_timeout": CONNECT_TIMEOUT_S,
    }
    options = postgres_options(target)
    if options:
        connect_args["options"] = options
    return {"connect_args": connect_args, "pool_pre_ping": True}
