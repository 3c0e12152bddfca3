"""Read the GX suites in suites/ into checks: what to run, and what each result means.

A suite file is GX 1.x ExpectationSuite JSON. Each expectation's `meta.pef_gx` (written by
`pef-gx generate`) says what the check is: check_id, kind, node_id, columns, origin, dimension, severity,
level, where, warn_if, error_if. Hand-written expectations without it are valid: their kind and
dimension come from the catalog (pef_gx.checks.catalog), their severity from GX's own `severity`.
An unknown expectation type, or a file that is not a suite, is a SuiteError naming the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pef_gx.artifacts.shapes import check_suite, loads_strict
from pef_gx.errors import SuiteError, did_you_mean
from pef_gx.validation.thresholds import parse_condition

UNEXPECTED_ROWS = "unexpected_rows_expectation"
# judged by pef-gx after the checkpoint from the run's results (pef_gx.runner.custom_tests_step), not by GX
DEFERRED_TYPES = ("expect_model_quality_score_to_be_at_least", "expect_model_build_time_to_be_below")
_GX_SEVERITY = {"critical": "error", "warning": "warn", "info": "warn", "error": "error", "warn": "warn"}
_COLUMN_KEYS = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class Check:
    """One expectation of a suite, with the pef-gx meaning of its result."""

    suite: str
    index: int  # position in the suite file
    gx_type: str
    kwargs: Mapping[str, Any]
    expectation: Mapping[str, Any]  # the expectation as written (type, kwargs, meta, severity, ...)
    check_id: str
    kind: str
    node_id: str | None
    columns: tuple[str, ...]
    origin_type: str
    origin_ref: str | None
    dimension: str
    severity: str  # error | warn
    level: str  # row | table
    where: str | None
    warn_if: str
    error_if: str
    where_in_query: bool = False  # the `where` is already inside the check's own SQL

    @property
    def needs_filtered_batch(self) -> bool:
        """A `where` that is not already inside the check's own SQL runs on a filtered batch."""
        return bool(self.where) and not self.where_in_query


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    node_id: str | None  # from the suite's meta (None: matched to a node by name later)
    checks: tuple[Check, ...]  # what the checkpoint runs
    meta: Mapping[str, Any] = field(default_factory=dict)
    deferred: tuple[Check, ...] = ()  # quality-score and build-time tests: judged after the checkpoint


def suite_files(suites_dir: Path) -> list[Path]:
    if not suites_dir.is_dir():
        return []
    return sorted(p for p in suites_dir.glob("*.json") if p.is_file())


def load_suites(suites_dir: Path) -> list[Suite]:
    return [load_suite(path) for path in suite_files(suites_dir)]


# path -> (size, mtime_ns, Suite): a run reads the suites for the checkpoint and again for the tests judged
# after it; a Suite is immutable, so an unchanged file is not parsed twice
_LOADED: dict[Path, tuple[int, int, Suite]] = {}


def load_suite(path: Path) -> Suite:
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is not None:
        seen = _LOADED.get(path)
        if seen is not None and seen[:2] == (stat.st_size, stat.st_mtime_ns):
            return seen[2]
    suite = _read_suite(path)
    if stat is not None:
        _LOADED[path] = (stat.st_size, stat.st_mtime_ns, suite)
    return suite


def _read_suite(path: Path) -> Suite:
    try:
        data = loads_strict(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuiteError(f"suite {path} cannot be read: {str(exc)[:120]}", "fix or regenerate it") from None
    except RecursionError:
        raise SuiteError(f"suite {path} is nested too deeply to read", "fix or regenerate it") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations", []), list):
        raise SuiteError(f"suite {path} is not a GX expectation suite", "it needs a list 'expectations'")
    check_suite(data, path, SuiteError)
    name = str(data.get("name") or data.get("expectation_suite_name") or path.stem)
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    node_id = _suite_node_id(meta)
    checks = []
    for index, raw in enumerate(data.get("expectations") or []):
        if not isinstance(raw, dict) or (not raw.get("type") and not raw.get("expectation_type")):
            raise SuiteError(f"suite {path}: expectation #{index + 1} has no 'type'", "see GX suite JSON")
        gx_type = str(raw.get("type") or raw.get("expectation_type"))
        if gx_type not in _WITHOUT_GX and gx_type not in (known := _known_types()):
            hint = did_you_mean(gx_type, known) or "use a GX 1.x expectation type (snake_case)"
            raise SuiteError(
                f"suite {path}: unknown expectation type '{gx_type}' (expectation #{index + 1})", hint
            )
        checks.append(_check(path, name, index, gx_type, raw, node_id))
    run = tuple(c for c in checks if c.gx_type not in DEFERRED_TYPES)
    deferred = tuple(c for c in checks if c.gx_type in DEFERRED_TYPES)
    return Suite(name=name, path=path, node_id=node_id, checks=run, meta=meta, deferred=deferred)


def _suite_node_id(meta: Mapping[str, Any]) -> str | None:
    own = meta.get("pef_gx") if isinstance(meta.get("pef_gx"), dict) else {}
    for value in (own.get("node_id"), own.get("unique_id"), meta.get("node_id"), meta.get("unique_id")):
        if value:
            return str(value)
    dbt = meta.get("dbt") if isinstance(meta.get("dbt"), dict) else {}
    return str(dbt["unique_id"]) if dbt.get("unique_id") else None


def _columns_of(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    columns = [str(kwargs[k]) for k in _COLUMN_KEYS if kwargs.get(k)]
    columns += [str(c) for c in kwargs.get("column_list") or []]
    return tuple(columns)


def _check(
    path: Path, suite: str, index: int, gx_type: str, raw: Mapping[str, Any], node_id: str | None
) -> Check:
    kwargs = dict(raw.get("kwargs") or {})
    meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
    own = meta.get("pef_gx") if isinstance(meta.get("pef_gx"), dict) else {}
    where = f"suite {path}, expectation #{index + 1}"
    origin = own.get("origin") if isinstance(own.get("origin"), dict) else {}
    kind, dimension, level = own.get("kind"), own.get("dimension"), own.get("level")
    if not kind or not dimension or not level:
        d_kind, d_dimension, d_level = _derive(gx_type, kwargs, meta)
        kind, dimension, level = kind or d_kind, dimension or d_dimension, level or d_level
    severity = own.get("severity") or _GX_SEVERITY.get(str(raw.get("severity") or "").lower(), "error")
    if severity not in ("error", "warn"):
        raise SuiteError(f"{where}: severity '{severity}' is not error or warn", "use error or warn")
    warn_if, error_if = str(own.get("warn_if") or "!=0"), str(own.get("error_if") or "!=0")
    parse_condition(warn_if, where)
    parse_condition(error_if, where)
    columns = tuple(str(c) for c in own.get("columns") or ()) or _columns_of(kwargs)
    check_id = own.get("check_id") or _hand_written_id(suite, gx_type, kwargs)
    return Check(
        suite=suite,
        index=index,
        gx_type=gx_type,
        kwargs=kwargs,
        expectation=raw,
        check_id=str(check_id),
        kind=str(kind),
        node_id=str(own.get("node_id") or node_id or "") or None,
        columns=columns,
        origin_type=str(origin.get("type") or "hand_written"),
        origin_ref=origin.get("ref"),
        dimension=str(dimension),
        severity=str(severity),
        level=str(level),
        where=own.get("where") or None,
        warn_if=warn_if,
        error_if=error_if,
        where_in_query=bool(own.get("where_in_query", gx_type == UNEXPECTED_ROWS)),
    )


def _derive(gx_type: str, kwargs: Mapping[str, Any], meta: Mapping[str, Any]) -> tuple[str, str, str]:
    """(kind, dimension, level) of a hand-written expectation, from the catalog when it knows it."""
    try:
        from pef_gx.checks import catalog, custom_tests
        from pef_gx.checks.spec import CheckSpec

        kind, columns, params = catalog.from_gx(gx_type, kwargs)
        dimension = catalog.dimension_for(kind, meta, gx_type=gx_type)
        if kind in custom_tests.GX_TYPES:
            dimension = custom_tests.dimension_of(kind, params)
        level = catalog.level_of(CheckSpec(node_id="", kind=kind, columns=columns, params=params))
        return kind, dimension, level
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        level = "table" if gx_type.startswith("expect_table_") or gx_type == UNEXPECTED_ROWS else "row"
        return gx_type, "validity", level


def _hand_written_id(suite: str, gx_type: str, kwargs: Mapping[str, Any]) -> str:
    payload = json.dumps([suite, gx_type, kwargs], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


_KNOWN: set[str] = set()
# types known without importing GX (3 s) while the suites are read: what the compiled engine runs, the
# other types pef-gx's catalog writes, and pef-gx's own (GX itself is imported in the background)
_WITHOUT_GX = frozenset(
    {
        "expect_column_values_to_be_in_type_list",
        "expect_column_type_family_to_be",
        "expect_column_values_to_be_of_type",
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_column_to_exist",
        "expect_column_max_to_be_between",
        "expect_column_min_to_be_between",
        *DEFERRED_TYPES,
        UNEXPECTED_ROWS,
        "expect_query_execution_time_to_be_below",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_compound_columns_to_be_unique",
        "expect_column_proportion_of_non_null_values_to_be_between",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
    }
)


def _known_types() -> set[str]:
    if not _KNOWN:
        import great_expectations.expectations  # noqa: F401  (registers the core expectations)
        from great_expectations.expectations.registry import list_registered_expectation_implementations

        import pef_gx.validation.custom_expectations  # noqa: F401  (registers pef-gx's own)

        _KNOWN.update(list_registered_expectation_implementations())
    return _KNOWN
