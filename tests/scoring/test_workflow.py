"""The GitHub Actions workflow for users: linted (schema + zizmor), its comment script and score step run.

The linters are dev tools (pip install -e ".[dev]"): check-jsonschema validates the structure against the
GitHub workflow schema, zizmor --offline audits it for security problems (unpinned actions, injection,
credentials, permissions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.scoring.factory import run, shop_checks

WORKFLOW = REPO / ".github" / "workflows" / "pr-quality.yml"
BIN = Path(sys.executable).parent


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _step(job: str, name_part: str) -> dict:
    steps = _workflow()["jobs"][job]["steps"]
    return next(s for s in steps if name_part in (s.get("name") or s.get("uses") or ""))


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]' -c constraints.txt")
    return str(path)


def test_workflow_matches_the_github_schema():
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_zizmor_offline():
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--persona=auditor", "--no-progress", str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_workflow_does_what_the_readme_says():
    data = _workflow()
    triggers = data.get("on") or data.get(True)  # YAML 1.1 reads `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert data["permissions"] == {}
    pr = data["jobs"]["pull-request"]
    assert pr["permissions"]["pull-requests"] == "write"
    runs = "\n".join(s.get("run", "") for s in pr["steps"])
    assert "pef-gx build" in runs and "pef-gx badge" in runs and "--format markdown" in runs
    # the scores page is written before the Data Docs folder is uploaded
    names = [s.get("name", "") for s in pr["steps"]]
    assert names.index("Badges and the scores page") < names.index("Upload Data Docs and the scores page")
    uploads = [s["with"]["path"] for s in pr["steps"] if "upload-artifact" in s.get("uses", "")]
    assert "gx/uncommitted/data_docs/local_site/" in uploads and ".pef-gx/badges/" in uploads
    assert _step("pull-request", "Restore the baseline")["with"]["restore-keys"] == "pef-gx-baseline-"
    main = data["jobs"]["main-baseline"]
    assert "main-scores.json" in "\n".join(s.get("run", "") for s in main["steps"])
    assert any("cache/save" in s.get("uses", "") for s in main["steps"])
    text = WORKFLOW.read_text()
    assert "image: postgres:16" in text and "PEF_GX_TARGET: postgres" in text  # the PostgreSQL variant


COMMENT_HARNESS = r"""
const fs = require('fs');
const state = JSON.parse(fs.readFileSync('state.json', 'utf8'));
let next = 1000;
const github = {
  paginate: async (fn, args) => state.comments.filter(c => c.issue === args.issue_number),
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async ({ comment_id, body }) => { state.comments.find(c => c.id === comment_id).body = body; state.calls.push('update'); },
    createComment: async ({ issue_number, body }) => { state.comments.push({ id: next++, issue: issue_number, user: { type: 'Bot' }, body }); state.calls.push('create'); },
  } },
};
const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
(async () => {
  %s
  fs.writeFileSync('state.json', JSON.stringify(state));
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_comment_script_creates_one_comment_then_updates_it(tmp_path: Path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (GitHub's runners have it)")
    script = _step("pull-request", "PR comment")["with"]["script"]
    (tmp_path / "harness.js").write_text(COMMENT_HARNESS % script)
    human = {
        "id": 1,
        "issue": 7,
        "user": {"type": "User"},
        "body": "<!-- pef-gx-report --> quoted by a person",
    }
    (tmp_path / "state.json").write_text(json.dumps({"comments": [human], "calls": []}))
    for body in ("<!-- pef-gx-report -->\nfirst push", "<!-- pef-gx-report -->\nsecond push"):
        (tmp_path / "pef-gx-comment.md").write_text(body)
        result = subprocess.run([node, "harness.js"], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["calls"] == ["create", "update"]
    bots = [c for c in state["comments"] if c["user"]["type"] == "Bot"]
    assert len(bots) == 1 and bots[0]["body"].endswith("second push")
    assert state["comments"][0]["body"].endswith("quoted by a person")  # a person's comment is left alone


@pytest.mark.parametrize("with_baseline", [True, False])
def test_score_step_runs_with_and_without_a_baseline(tmp_path: Path, with_baseline: bool):
    results = tmp_path / ".pef-gx" / "results"
    results.mkdir(parents=True)
    (results / "latest.json").write_text(json.dumps(run(shop_checks(), "pr-run").to_dict()))
    if with_baseline:
        main_run = run([replace(c, status="pass", unexpected_count=0) for c in shop_checks()], "main-run")
        (tmp_path / "main-results.json").write_text(json.dumps(main_run.to_dict()))
        baseline = tmp_path / ".pef-gx" / "baseline"
        baseline.mkdir()
        saved = subprocess.run(
            [
                str(BIN / "pef-gx"),
                "score",
                "--no-html",
                "--results",
                "main-results.json",
                "--out",
                str(baseline / "main-scores.json"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert saved.returncode == 0, saved.stderr
    step = _step("pull-request", "Score against main")
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "BASELINE_DIR": ".pef-gx/baseline",
        "DOCS_URL": "https://github.com/o/r/actions/runs/1/artifacts/2",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    comment = (tmp_path / "pef-gx-comment.md").read_text()
    assert comment.startswith("<!-- pef-gx-report -->")
    assert "artifacts/2" in comment
    assert ("compared with main run `main-run`" in comment) == with_baseline
    assert ("no baseline from main yet" in result.stdout) != with_baseline
    assert (tmp_path / "summary.md").read_text() == comment
