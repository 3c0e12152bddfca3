"""pef-gx installed the way a user installs it (issue 9, point 7): a wheel built from this repository
(`python -m build`) into a fresh virtualenv, then `init`, `generate`, `build` and `score` on a small dbt
project of another shape than the sample (other names, model-paths/seed-paths of its own, no pef-gx.yml).

The venv installs the wheel with `-c constraints.txt` from pip's cache (only the package registries are
reachable). The wheel must carry the package data: the dbt generic tests, the GX context template, the
Data Docs assets and the SQL templates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration

PACKAGE_DATA = (
    "pef_gx/resources/dbt_macros/pef_gx_accepted_range.sql",
    "pef_gx/resources/dbt_macros/pef_gx_helpers.sql",
    "pef_gx/validation/great_expectations.yml",
    "pef_gx/validation/offline_script.html",
    "pef_gx/validation/data_docs_custom_styles.css",
    "pef_gx/generators/nl_templates/top_n.sql.j2",
)

PROJECT_FILES = {
    "dbt_project.yml": """
        name: acme_ledger
        version: "1.0.0"
        profile: acme_ledger
        model-paths: ["transform"]
        seed-paths: ["data"]
        models:
          acme_ledger:
            +materialized: table
    """,
    "profiles.yml": """
        acme_ledger:
          target: local
          outputs:
            local:
              type: duckdb
              path: acme.duckdb
              threads: 2
    """,
    "data/accounts.csv": """
        account_id,holder,kind
        1,Ada,checking
        2,Brian,savings
        3,Chen,checking
    """,
    "data/postings.csv": """
        posting_id,account_id,amount,booked_on
        10,1,120.50,2026-01-03
        11,1,-20.00,2026-01-04
        12,2,500.00,2026-01-04
        13,3,75.25,2026-01-05
    """,
    "transform/ledger_accounts.sql": "select account_id, holder, kind from {{ ref('accounts') }}\n",
    "transform/ledger_postings.sql": (
        "select posting_id, account_id, cast(amount as decimal(12, 2)) as amount, booked_on\n"
        "from {{ ref('postings') }}\n"
    ),
    "transform/account_balances.sql": (
        "select a.account_id, a.holder, coalesce(sum(p.amount), 0) as balance\n"
        "from {{ ref('ledger_accounts') }} a left join {{ ref('ledger_postings') }} p using (account_id)\n"
        "group by 1, 2\n"
    ),
    "transform/properties.yml": """
        version: 2
        models:
          - name: ledger_accounts
            columns:
              - name: account_id
                data_tests: [unique, not_null]
              - name: kind
                data_tests:
                  - accepted_values:
                      values: [checking, savings]
          - name: ledger_postings
            columns:
              - name: posting_id
                data_tests: [unique, not_null]
              - name: account_id
                data_tests:
                  - relationships:
                      to: ref('ledger_accounts')
                      field: account_id
          - name: account_balances
            columns:
              - name: account_id
                data_tests: [unique]
    """,
}


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 1200
) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(args)} -> {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (setuptools writes build/ beside them)."""
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(REPO / "pef_gx", src / "pef_gx", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)], src, dict(os.environ))
    wheels = list(dist.glob("pef_gx-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_carries_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert any(n.endswith("entry_points.txt") for n in names)


def test_a_fresh_venv_runs_init_generate_build_score_on_another_project(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel),
          "-c", str(REPO / "constraints.txt")], tmp_path, pip_env)  # fmt: skip

    project = tmp_path / "acme"
    for rel, text in PROJECT_FILES.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    env = {**pip_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PROFILES_DIR": str(project)}
    pef_gx = str(venv / "bin" / "pef-gx")

    where = _run([str(venv / "bin" / "python"), "-c", "import pef_gx; print(pef_gx.__file__)"], project, env)
    assert str(venv) in where.stdout, "pef_gx must come from the wheel in the new venv, not the repository"

    _run([pef_gx, "init"], project, env)
    assert (project / "macros" / "pef_gx" / "pef_gx_accepted_range.sql").is_file()
    generated = _run([pef_gx, "generate", "--parse"], project, env)
    assert (project / "suites" / "ledger_postings.json").is_file(), generated.stdout
    built = _run([pef_gx, "build"], project, env)
    assert "no error-severity failure" in built.stdout, built.stdout
    scored = _run([pef_gx, "score"], project, env)
    assert "pef-gx scores: acme_ledger" in scored.stdout
    assert "not measured" not in scored.stdout.splitlines()[3], scored.stdout  # the overall row is measured
    assert (project / ".pef-gx" / "results" / "latest.json").is_file()
    # gx/ and suites/ live in this project folder: files pef-gx wrote there do not make the manifest stale
    check = subprocess.run(
        [pef_gx, "generate", "--check"], cwd=project, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
