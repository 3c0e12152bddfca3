"""Issue 9, point 5: `generate --check` on a manifest older than the properties YAML is not a pass."""

from __future__ import annotations

import pytest

from tests.conftest import dbt, run_cli, snapshot_tree

pytestmark = pytest.mark.integration

NEW_TEST = """      - name: payment_id
        description: Payment key.
        data_tests:
          - unique
          - not_null
          - accepted_range:
              min_value: 0
"""


def test_generate_check_stops_on_a_stale_manifest_and_generate_reparses(workspace) -> None:
    project = workspace / "dbt_project"
    dbt(project, "parse")
    assert run_cli("generate", "--check", cwd=workspace).returncode == 0

    yml = project / "models" / "staging" / "_staging.yml"
    text = yml.read_text()
    old = NEW_TEST.rsplit("          - accepted_range", 1)[0]
    assert old in text
    yml.write_text(text.replace(old, NEW_TEST, 1))
    before = snapshot_tree(workspace)
    suite = (workspace / "suites" / "stg_payments.json").read_text()

    check = run_cli("generate", "--check", cwd=workspace)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "the manifest is stale" in check.stderr
    assert "models/staging/_staging.yml" in check.stderr
    assert "Traceback" not in check.stderr
    assert snapshot_tree(workspace) == before  # --check writes nothing

    generate = run_cli("generate", cwd=workspace)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert "ran `dbt parse` first" in generate.stdout
    assert "update: suites/stg_payments.json" in generate.stdout
    assert (workspace / "suites" / "stg_payments.json").read_text() != suite

    again = run_cli("generate", "--check", cwd=workspace)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 file(s) would change" in again.stdout
