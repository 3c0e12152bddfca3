"""`pef-gx generate` on a synthetic manifest of 5,000 models and 50,000 tests, next to a bare json.load.

Both run in a subprocess of their own (wall time, and peak RSS from the child's own rusage). Target:
generate (first run: writes 5,000 suites; second run: nothing to write) within 3x the bare load, under
1 GB. Run: python bench/generate_bench.py [models] (default 5000; 10 tests per model).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 5000
TESTS_PER_MODEL = 10
COLUMNS = 12
OUT = Path(__file__).resolve().parent / "out"


def _model(i: int, rng: random.Random) -> dict:
    name = f"model_{i:05d}"
    columns = {
        f"col_{c}": {
            "name": f"col_{c}", "description": f"Column {c} of {name}. " * 3, "meta": {}, "data_type": None,
            "constraints": [], "quote": None, "config": {"meta": {}, "tags": []}, "tags": [], "granularity": None,
            "doc_blocks": [],
        }
        for c in range(COLUMNS)
    }  # fmt: skip
    parents = [f"model.bench.model_{rng.randrange(i):05d}" for _ in range(min(i, 3))]
    sql = f"select * from {{{{ ref('model_{max(i - 1, 0):05d}') }}}}\n" + "-- padding line\n" * 30
    return {
        "database": "bench", "schema": "main", "name": name, "resource_type": "model", "package_name": "bench",
        "path": f"area_{i % 50}/{name}.sql", "original_file_path": f"models/area_{i % 50}/{name}.sql",
        "unique_id": f"model.bench.{name}", "fqn": ["bench", f"area_{i % 50}", name], "alias": name,
        "checksum": {"name": "sha256", "checksum": "0" * 64},
        "config": {"enabled": True, "materialized": "table", "tags": [], "meta": {}, "contract": {"enforced": False}},
        "tags": [], "description": f"The {name} model. " * 5, "columns": columns, "meta": {},
        "patch_path": f"bench://models/area_{i % 50}/_area.yml", "relation_name": f'"bench"."main"."{name}"',
        "raw_code": sql, "compiled_code": sql, "language": "sql", "refs": [], "sources": [],
        "depends_on": {"macros": [], "nodes": parents}, "constraints": [], "primary_key": ["col_0"],
    }  # fmt: skip


def _test(i: int, t: int, rng: random.Random, models: int) -> dict:
    name = f"model_{i:05d}"
    kind = ["not_null", "unique", "accepted_values", "relationships", "accepted_range", "expression_is_true",
            "not_null", "not_null", "accepted_values", "unique_combination_of_columns"][t]  # fmt: skip
    column = f"col_{t % COLUMNS}"
    kwargs: dict = {"column_name": column, "model": f"{{{{ get_where_subquery(ref('{name}')) }}}}"}
    depends = [f"model.bench.{name}"]
    if kind == "accepted_values":
        kwargs["values"] = [f"value_{v}" for v in range(8)]
    elif kind == "relationships":
        parent = f"model_{rng.randrange(models):05d}"
        kwargs.update(to=f"ref('{parent}')", field="col_0")
        depends.insert(0, f"model.bench.{parent}")
    elif kind == "accepted_range":
        kwargs.update(min_value=0, max_value=1000)
    elif kind == "expression_is_true":
        kwargs = {"expression": "col_1 >= col_2", "model": kwargs["model"]}
    elif kind == "unique_combination_of_columns":
        kwargs = {"combination_of_columns": ["col_0", "col_1"], "model": kwargs["model"]}
    namespace = (
        "dbt_utils"
        if kind in ("accepted_range", "expression_is_true", "unique_combination_of_columns")
        else None
    )
    uid = f"test.bench.{kind}_{name}_{t}.{i:05d}{t}"
    return {
        "database": "bench", "schema": "main_dbt_test__audit", "name": f"{kind}_{name}_{t}", "resource_type": "test",
        "package_name": "bench", "path": f"{kind}_{name}_{t}.sql", "original_file_path": f"models/area_{i % 50}/_area.yml",
        "unique_id": uid, "fqn": ["bench", kind, name, str(t)], "alias": f"{kind}_{name}_{t}",
        "checksum": {"name": "none", "checksum": ""},
        "config": {"enabled": True, "materialized": "test", "severity": "warn" if t == 3 else "ERROR", "where": None,
                   "warn_if": "!= 0", "error_if": "!= 0", "fail_calc": "count(*)", "meta": {}, "tags": []},
        "tags": [], "description": "", "columns": {}, "meta": {}, "raw_code": "{{ test_" + kind + "(**_dbt_generic_test_kwargs) }}",
        "language": "sql", "refs": [{"name": name, "package": None, "version": None}], "sources": [],
        "depends_on": {"macros": [f"macro.dbt.test_{kind}"], "nodes": depends},
        "column_name": column if "column_name" in kwargs else None, "attached_node": f"model.bench.{name}",
        "test_metadata": {"name": kind, "kwargs": kwargs, "namespace": namespace}, "file_key_name": f"models.{name}",
    }  # fmt: skip


def build(root: Path, models: int) -> Path:
    rng = random.Random(7)
    project = root / "project"
    (project / "target").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: bench\nversion: '1.0'\nconfig-version: 2\nprofile: bench\n"
    )
    (root / "pef-gx.yml").write_text("dbt_project_dir: project\nsuites_dir: suites\n")
    nodes: dict = {}
    for i in range(models):
        model = _model(i, rng)
        nodes[model["unique_id"]] = model
        for t in range(TESTS_PER_MODEL):
            test = _test(i, t, rng, models)
            nodes[test["unique_id"]] = test
    manifest = {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "dbt_version": "1.11.16",
                     "project_name": "bench", "adapter_type": "duckdb"},
        "nodes": nodes, "sources": {}, "macros": {}, "docs": {}, "exposures": {}, "metrics": {}, "groups": {},
        "selectors": {}, "disabled": {}, "parent_map": {}, "child_map": {}, "group_map": {}, "saved_queries": {},
        "semantic_models": {}, "unit_tests": {}, "functions": {},
    }  # fmt: skip
    path = project / "target" / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def measure(args: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(proc.stderr.read().decode()[-2000:] if proc.stderr else "", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="pef-gx-bench-"))
    try:
        manifest = build(root, MODELS)
        size = manifest.stat().st_size / 1e6
        load = [sys.executable, "-c", f"import json; json.load(open({str(manifest)!r}, 'rb'))"]
        generate = [sys.executable, "-m", "pef_gx", "generate", "--quiet"]
        load_s, load_cpu, load_mb, _ = measure(load, root)
        first_s, first_cpu, first_mb, code1 = measure(generate, root)
        second_s, second_cpu, second_mb, code2 = measure(generate, root)
        suites = len(list((root / "suites").glob("*.json")))
        worst = max(first_s / load_s, second_s / load_s)
        worst_cpu = max(first_cpu / load_cpu, second_cpu / load_cpu)
        lines = [
            f"generate bench: {MODELS} models, {MODELS * TESTS_PER_MODEL} tests, manifest {size:.0f} MB "
            f"({os.cpu_count()} cores; wall time and CPU time of each subprocess)",
            f"  bare json.load                {load_s:6.2f} s wall {load_cpu:6.2f} s cpu  peak {load_mb:5.0f} MB",
            f"  pef-gx generate, first run    {first_s:6.2f} s wall {first_cpu:6.2f} s cpu  peak {first_mb:5.0f} MB"
            f"  ({first_s / load_s:.2f}x wall, {first_cpu / load_cpu:.2f}x cpu; {suites} suites written)",
            f"  pef-gx generate, second run   {second_s:6.2f} s wall {second_cpu:6.2f} s cpu  peak {second_mb:5.0f} MB"
            f"  ({second_s / load_s:.2f}x wall, {second_cpu / load_cpu:.2f}x cpu; nothing to write)",
            f"  target (within 3x the bare load, under 1024 MB): "
            f"{'met' if worst <= 3 and max(first_mb, second_mb) < 1024 else 'NOT met'} on wall time, "
            f"{'met' if worst_cpu <= 3 and max(first_mb, second_mb) < 1024 else 'NOT met'} on CPU time",
        ]
        print("\n".join(lines))
        OUT.mkdir(exist_ok=True)
        (OUT / "generate_bench.txt").write_text("\n".join(lines) + "\n")
        return 0 if code1 == 0 and code2 == 0 else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
