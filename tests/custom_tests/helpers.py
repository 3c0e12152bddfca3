"""Shared set-up of the custom-test integration modules: a workspace with a slow model, a second query-time
test that exceeds its limit, generate, and the results / suites read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

CUSTOM_KINDS = ("quality_score", "build_time", "query_time")


def add_slow_model(ws: Path, sql: str, error_after: float) -> None:
    """A model made slow on purpose, with a build-time limit it cannot meet."""
    marts = ws / "dbt_project" / "models" / "marts"
    (marts / "slow_model.sql").write_text(sql + "\n")
    (marts / "_slow.yml").write_text(
        "version: 2\n\nmodels:\n  - name: slow_model\n    description: Slow on purpose.\n"
        f"    config:\n      meta:\n        pef_gx:\n          build_time: {{error_after: {error_after}}}\n"
    )


def add_slow_query(ws: Path, sql: str, max_ms: float) -> None:
    """A second query-time test on dim_customers (severity warn) that takes longer than its limit."""
    marts = ws / "dbt_project" / "models" / "marts" / "_marts.yml"
    text = marts.read_text()
    anchor = "              repeat: 5\n"
    assert anchor in text
    extra = (
        "            - name: full_scan\n"
        f"              sql: {json.dumps(sql)}\n"
        f"              max_ms: {max_ms}\n"
        "              severity: warn\n"
        "              repeat: 3\n"
    )
    marts.write_text(text.replace(anchor, anchor + extra, 1))


def generate(ws: Path, *args: str) -> Any:
    result = run_cli("generate", *args, cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def latest(ws: Path) -> dict[str, Any]:
    return json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())


def custom_results(ws: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(kind, node_name, dimension or query name) -> the check result."""
    out = {}
    for check in latest(ws)["checks"]:
        if check["kind"] in CUSTOM_KINDS:
            name = check["dimension"]
            if check["kind"] == "query_time":
                name = check["message"].split("'")[1]
            out[(check["kind"], check["node_name"], name)] = check
    return out


def set_suite_severity(ws: Path, suite: str, kind: str, severity: str, **match: Any) -> None:
    """Edit expectations of a suite by hand (what a reviewer might do): their severity."""
    path = ws / "suites" / f"{suite}.json"
    data = json.loads(path.read_text())
    for expectation in data["expectations"]:
        own = expectation["meta"]["pef_gx"]
        if own["kind"] == kind and all(own.get(k) == v for k, v in match.items()):
            own["severity"] = severity
            expectation["severity"] = "critical" if severity == "error" else "warning"
    path.write_text(json.dumps(data, indent=2))
