"""Issue 16 through `pef-gx ask`: quality-score and build-time tests asked for in plain English become a
declaration in the model's meta (byte-preserving insertion), mirrored into its suite, judged on the
latest results, and judged by every later build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pef_gx.generators.natural_language import CustomTestIntent, NotUnderstood, parse_request
from pef_gx.writers.yaml_splice import Unsafe, insert_meta
from tests.conftest import run_cli

READINGS = [
    ("fct_orders must keep a quality score above 95", "fct_orders", "quality_score", {"min": 95.0}),
    ("sales should build in under a minute", "sales", "build_time", {"error_after": 60.0}),
    ("dim_customers must build within 90 seconds", "dim_customers", "build_time", {"error_after": 90.0}),
    ("stg_orders should build in under 2 minutes, as a warning", "stg_orders", "build_time",
     {"warn_after": 120.0}),
    ("the sales_daily model must maintain a completeness quality score of at least 99.5", "sales_daily",
     "quality_score", {"dimensions": {"completeness": 99.5}}),
    ("customer lifetime value should keep its data quality score over 90 (warning)",
     "customer_lifetime_value", "quality_score", {"min": 90.0, "severity": "warn"}),
]  # fmt: skip


@pytest.mark.parametrize(("request_text", "model", "key", "value"), READINGS)
def test_custom_test_requests_are_read(index, request_text, model, key, value) -> None:
    intent = parse_request(request_text, index)
    assert isinstance(intent, CustomTestIntent)
    assert (intent.model.name, intent.key, dict(intent.value)) == (model, key, value)
    assert intent.specs and all(s.kind == key for s in intent.specs)


@pytest.mark.parametrize(
    "request_text",
    [
        "fct_ordrs must keep a quality score above 95",  # no such model: did-you-mean, never a guess
        "fct_orders must keep a quality score above 150",  # not a score
    ],
)
def test_custom_test_requests_that_cannot_be_right_are_refused(index, request_text) -> None:
    with pytest.raises(NotUnderstood):
        parse_request(request_text, index)


HAND_WRITTEN = (
    "version: 2\r\n"
    "models:\r\n"
    "  - name: a   # the first\r\n"
    "    description: 'A'\r\n"
    "    columns:\r\n"
    "      - name: id\r\n"
    "  - name: b\r\n"
    "    config:\r\n"
    "      materialized: table\r\n"
    "      meta:\r\n"
    "        pef_gx:\r\n"
    "          build_time: {error_after: 60}\r\n"
    "  - name: c\r\n"
    "    config: {meta: {owner: x}}\r\n"
)


def test_the_declaration_is_inserted_and_every_other_byte_kept() -> None:
    out = insert_meta(HAND_WRITTEN, "model", "a", "quality_score", {"min": 95})
    head = HAND_WRITTEN[: HAND_WRITTEN.index("  - name: b")]
    assert out.startswith(head) and out.endswith(HAND_WRITTEN[len(head) :])
    models = {m["name"]: m for m in yaml.safe_load(out)["models"]}
    assert models["a"]["config"]["meta"]["pef_gx"] == {"quality_score": {"min": 95}}
    assert models["a"]["columns"] == [{"name": "id"}] and models["a"]["description"] == "A"
    kept = out.split("\r\n")
    assert all(line in kept for line in HAND_WRITTEN.split("\r\n"))  # nothing hand-written changed
    assert "\n" not in out.replace("\r\n", "")  # the file's own line ending
    deeper = insert_meta(HAND_WRITTEN, "model", "b", "quality_score", {"min": 90})
    assert yaml.safe_load(deeper)["models"][1]["config"]["meta"]["pef_gx"] == {
        "build_time": {"error_after": 60},
        "quality_score": {"min": 90},
    }
    assert len(deeper.split("\r\n")) == len(HAND_WRITTEN.split("\r\n")) + 1
    with pytest.raises(Unsafe, match="already declares"):
        insert_meta(HAND_WRITTEN, "model", "b", "build_time", {"error_after": 1})
    with pytest.raises(Unsafe):  # flow style: pef-gx does not rewrite it
        insert_meta(HAND_WRITTEN, "model", "c", "quality_score", {"min": 90})


def test_ask_declares_judges_and_generate_agrees(built: Path) -> None:
    ws = built
    assert run_cli("build", "--quiet", cwd=ws).returncode in (0, 1)
    marts = ws / "dbt_project" / "models" / "marts" / "_marts.yml"
    before = marts.read_text()
    asked = run_cli("ask", "sales_daily must keep a quality score above 95", cwd=ws)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "PASS quality_score on sales_daily" in asked.stdout and "meets the minimum 95" in asked.stdout
    after = marts.read_text()
    assert all(line in after.splitlines() for line in before.splitlines())
    declared = {m["name"]: m for m in yaml.safe_load(after)["models"]}["sales_daily"]
    assert declared["config"]["meta"]["pef_gx"]["quality_score"] == {"min": 95}
    suite = json.loads((ws / "suites" / "sales_daily.json").read_text())
    assert "expect_model_quality_score_to_be_at_least" in {e["type"] for e in suite["expectations"]}
    check = run_cli("generate", "--check", "--parse", cwd=ws)
    assert check.returncode == 0 and "0 file(s) would change" in check.stdout, check.stdout + check.stderr
    again = run_cli("ask", "sales_daily must keep a quality score above 90", cwd=ws)
    assert again.returncode == 2 and "already declares pef_gx.quality_score" in again.stderr
    assert marts.read_text() == after
    build = run_cli("build", "--quiet", "--select", "sales_daily", cwd=ws)
    latest = json.loads((ws / ".pef-gx" / "results" / "latest.json").read_text())
    score = [c for c in latest["checks"] if c["kind"] == "quality_score" and c["node_name"] == "sales_daily"]
    assert [c["status"] for c in score] == ["pass"], build.stdout
