"""Golden files of suites and YAML, idempotence, --check/--dry-run, hand-written YAML kept byte for byte,
and the suites read back by GX's own API.

Regenerate the golden files on purpose with `PEF_GX_REGOLDEN=1 pytest tests/generate/test_outputs.py`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot_tree

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
HAND_WRITTEN = HERE / "data" / "dim_customers.hand_written.json"
YAML_FILES = ("models/marts/_marts.yml", "models/staging/_staging.yml", "seeds/_seeds.yml")
EXTRA_COMMENT = "          # hand-written note about the segments: keep me here\n"


def _add_hand_written(ws: Path) -> str:
    """Append the hand-written expectations to suites/dim_customers.json; returns the file's old text."""
    path = ws / "suites" / "dim_customers.json"
    old = path.read_text()
    suite = json.loads(old)
    suite["expectations"] += json.loads(HAND_WRITTEN.read_text())["expectations"]
    path.write_text(json.dumps(suite, indent=2))
    return old


def test_committed_suites_and_yaml_are_up_to_date(parsed_copy: Path) -> None:
    """The sample project's committed outputs are what generate writes (the CI drift guard)."""
    result = run_cli("generate", "--check", cwd=parsed_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 file(s) would change" in result.stdout


def _comment_after_segment_tests(ws: Path) -> None:
    """A comment after the last test of a column pef-gx appends to (it must stay before the next column)."""
    marts = ws / "dbt_project" / "models" / "marts" / "_marts.yml"
    text = marts.read_text()
    anchor = '                values: ["prospect", "regular", "vip"]\n'
    assert anchor in text
    marts.write_text(text.replace(anchor, anchor + EXTRA_COMMENT, 1))


def _generate(ws: Path, *args: str):
    result = run_cli("generate", *args, cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _compare_or_write(produced: dict[str, str], folder: Path) -> None:
    if os.environ.get("PEF_GX_REGOLDEN") == "1":
        shutil.rmtree(folder, ignore_errors=True)
        for name, text in produced.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        return
    expected = {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert sorted(produced) == sorted(expected)
    for name, text in produced.items():
        assert text == expected[name], f"{name} differs from its golden file (PEF_GX_REGOLDEN=1 to accept)"


def test_golden_suites_and_yaml(parsed_copy: Path) -> None:
    _add_hand_written(parsed_copy)
    _comment_after_segment_tests(parsed_copy)
    _generate(parsed_copy)
    suites = {p.name: p.read_text() for p in sorted((parsed_copy / "suites").glob("*.json"))}
    _compare_or_write(suites, GOLDEN / "suites")
    yaml = {Path(f).name: (parsed_copy / "dbt_project" / f).read_text() for f in YAML_FILES}
    _compare_or_write(yaml, GOLDEN / "yaml")


def test_second_run_changes_nothing_and_check_mode(parsed_copy: Path) -> None:
    _add_hand_written(parsed_copy)
    first = _generate(parsed_copy)
    assert "file(s) changed" in first.stdout
    after_first = snapshot_tree(parsed_copy)
    second = _generate(parsed_copy)
    assert " 0 file(s) changed" in second.stdout
    assert snapshot_tree(parsed_copy) == after_first
    assert run_cli("generate", "--check", cwd=parsed_copy).returncode == 0

    # drift: someone edits a generated suite by hand -> --check fails and names it, writes nothing
    path = parsed_copy / "suites" / "stg_orders.json"
    suite = json.loads(path.read_text())
    suite["expectations"] = suite["expectations"][1:]
    path.write_text(json.dumps(suite, indent=2))
    drifted = snapshot_tree(parsed_copy)
    check = run_cli("generate", "--check", cwd=parsed_copy)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "update: suites/stg_orders.json" in check.stdout and "out of date" in check.stdout
    assert snapshot_tree(parsed_copy) == drifted

    dry = run_cli("generate", "--dry-run", cwd=parsed_copy)
    assert dry.returncode == 0
    assert "--- a/suites/stg_orders.json" in dry.stdout and "+++ b/suites/stg_orders.json" in dry.stdout
    assert snapshot_tree(parsed_copy) == drifted

    as_json = run_cli("generate", "--check", "--format", "json", cwd=parsed_copy)
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["out_of_date"] is True and report["mode"] == "check"
    assert any(f.endswith("stg_orders.json") for f in report["changed_files"])


def test_hand_written_yaml_survives_byte_for_byte(parsed_copy: Path) -> None:
    _comment_after_segment_tests(parsed_copy)
    project = parsed_copy / "dbt_project"
    originals = {f: (project / f).read_text() for f in YAML_FILES}
    suite_before = _add_hand_written(parsed_copy)
    _generate(parsed_copy)
    marts = (project / "models/marts/_marts.yml").read_text()
    assert marts != originals["models/marts/_marts.yml"]
    # every original line is still there, in order (pef-gx only inserted its own entries)
    lines = iter(marts.splitlines())
    for line in originals["models/marts/_marts.yml"].splitlines():
        assert any(candidate == line for candidate in lines), f"lost or moved: {line!r}"
    # the comment still precedes the next column: pef-gx's appended test went above it
    at = marts.index(EXTRA_COMMENT)
    assert "origin: hand_written}}}\n" in marts[at - 200 : at]
    assert marts[at + len(EXTRA_COMMENT) :].startswith("\n  - name: customer_lifetime_value")

    # drop the hand-written checks: regeneration removes exactly pef-gx's own entries for them
    (parsed_copy / "suites" / "dim_customers.json").write_text(suite_before)
    _generate(parsed_copy)
    for name, text in originals.items():
        assert (project / name).read_text() == text, name


def test_owned_entries_are_marked_and_hand_written_tests_untouched(parsed_copy: Path) -> None:
    _add_hand_written(parsed_copy)
    report = json.loads(_generate(parsed_copy, "--format", "json").stdout)
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load((parsed_copy / "dbt_project/models/marts/_marts.yml").read_text())
    dim = next(m for m in doc["models"] if m["name"] == "dim_customers")

    def origin(test: dict) -> str | None:
        body = next(iter(test.values())) if isinstance(test, dict) else None
        own = (
            ((body or {}).get("config") or {}).get("meta", {}).get("pef_gx")
            if isinstance(body, dict)
            else None
        )
        return own["origin"] if own and own.get("owned") else None

    hand = [next(iter(t)) for t in dim.get("data_tests", []) if origin(t) == "hand_written"]
    assert hand == ["pef_gx_row_count_between"]
    country = next(c for c in dim["columns"] if c["name"] == "country_code")
    assert [next(iter(t)) for t in country["data_tests"] if origin(t) == "hand_written"] == [
        "pef_gx_match_regex"
    ]
    # hand-written dbt tests are untouched, and the duplicate of one (not_null customer_id) adds no test
    customer_id = next(c for c in dim["columns"] if c["name"] == "customer_id")
    assert [t for t in customer_id["data_tests"] if origin(t) is None] == ["unique", "not_null"]
    assert not [t for t in customer_id["data_tests"] if origin(t) and next(iter(t)) == "not_null"]
    node = next(n for n in report["nodes"] if n["node_id"] == "model.pef_shop.dim_customers")
    gx_only = {item["reason"] for item in node["gx_only"]}
    assert "dbt has no test for 'gx_native'" in gx_only  # expect_column_mean_to_be_between


def test_suites_are_what_gx_reads_and_writes(parsed_copy: Path, tmp_path: Path) -> None:
    import great_expectations as gx

    import pef_gx.validation.custom_expectations  # noqa: F401  (pef-gx's own types, as GX registers them)

    _add_hand_written(parsed_copy)
    _generate(parsed_copy)
    context = gx.get_context(mode="file", project_root_dir=str(tmp_path / "ctx"))
    store_dir = Path(context.root_directory) / "expectations"
    for path in sorted((parsed_copy / "suites").glob("*.json")):
        shutil.copy(path, store_dir / path.name)
    for path in sorted((parsed_copy / "suites").glob("*.json")):
        ours = json.loads(path.read_text())
        suite = context.suites.get(ours["name"])
        assert len(suite.expectations) == len(ours["expectations"])
        again = json.loads(context.expectations_store.serialize(suite))
        again["meta"].pop("great_expectations_version", None)
        for expectation in again["expectations"]:
            expectation.pop("rendered_content", None)
        assert again == ours, path.name
        for expectation in ours["expectations"]:
            meta = expectation["meta"]["pef_gx"]
            for key in ("check_id", "kind", "node_id", "columns", "origin", "dimension", "severity", "level",
                        "where", "warn_if", "error_if"):  # fmt: skip
                assert key in meta, (path.name, key)
            assert expectation["severity"] in ("critical", "warning")
        assert ours["meta"]["pef_gx"]["node_id"].endswith(ours["meta"]["pef_gx"]["name"])


def test_select_writes_only_the_selected_suites(parsed_copy: Path) -> None:
    for name in ("stg_orders", "stg_customers", "fct_orders"):  # three suites drift
        path = parsed_copy / "suites" / f"{name}.json"
        path.write_text(path.read_text().replace('"critical"', '"warning"', 1))
    drifted = (parsed_copy / "suites" / "fct_orders.json").read_text()
    result = _generate(parsed_copy, "--select", "stg_orders", "--select", "stg_customers")
    assert "2 file(s) changed" in result.stdout
    assert (
        "update: suites/stg_orders.json" in result.stdout
        and "update: suites/stg_customers.json" in result.stdout
    )
    assert (parsed_copy / "suites" / "fct_orders.json").read_text() == drifted  # not selected: untouched


@pytest.mark.parametrize("selector", ["tag:nothing_tagged_so"])
def test_selector_that_matches_nothing(parsed_copy: Path, selector: str) -> None:
    result = run_cli("generate", "--select", selector, cwd=parsed_copy)
    assert result.returncode == 2
    assert "matches no node" in result.stderr


def test_parse_option_runs_dbt_parse_first(parsed_copy: Path) -> None:
    (parsed_copy / "dbt_project" / "target" / "manifest.json").unlink()
    result = _generate(parsed_copy, "--parse", "--select", "stg_orders")
    assert (parsed_copy / "dbt_project" / "target" / "manifest.json").is_file()
    assert "1 nodes" in result.stdout and "0 file(s) changed" in result.stdout
