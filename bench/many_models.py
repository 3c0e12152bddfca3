"""Generator of a dbt project of many models for bench/many_models_bench.py.

`write_project(root, engine, models=300)` writes `root/` (dbt_project.yml, profiles.yml, macros, one SQL
file and one properties YAML per model). The rows are made inside the warehouse by the models themselves
(`bench_rows(n)`: DuckDB `range()`, PostgreSQL `generate_series()`), so nothing is loaded from files.
Sizes (10k to 100k rows), extra tests and planted defects come from a seeded random generator: the same
arguments always write the same project.

Shape: every 15th model is a "dimension" the next 14 point at (`dim_id`, with a `relationships` test);
the last model of each group of 15 selects from the one before it (`ref()`, so lineage is not flat).
Columns: int keys (`id`, `dim_id`, `bucket`/`slot` as a compound key), text (`category`, `note`), a
decimal (`amount`) and a date (`created_date`). Each model has 8 base tests plus 0-4 extras (8-12):
dbt's not_null / unique / accepted_values / relationships, the sample project's own generic tests
(pef_gx_accepted_range, pef_gx_unique_combination, pef_gx_match_regex, pef_gx_row_count_between,
pef_gx_not_null_proportion, pef_gx_recency, pef_gx_expression_is_true; and unique_combination_of_columns
from macros/generic_tests), some with `where:` and some with `severity: warn`. Some models carry planted
defects (see `DEFECTS`) so that failing checks are measured too.
"""

from __future__ import annotations

import random
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GROUP = 15  # one dimension model, then 14 models pointing at it
CATEGORIES = ("alpha", "beta", "gamma", "delta", "epsilon")
PG_SCHEMA = "pef_bench_many"

# Planted defects: (name, model index modulus, remainder). Dimensions (index % GROUP == 0) never get one.
DEFECTS = (
    ("bad_category", 23, 4),  # a value outside accepted_values
    ("duplicate_id", 29, 6),  # unique on id fails
    ("negative_amount", 31, 8),  # accepted_range (and `amount >= 0`) fails
    ("orphan_dim_id", 37, 10),  # relationships fails
    ("many_null_notes", 41, 12),  # not_null_proportion fails (when the model has that extra test)
    ("bad_note_format", 43, 14),  # match_regex fails
)

MACRO = """\
{#- the rows of a bench model, made by the warehouse itself: ids 1..n in column i -#}
{% macro bench_rows(n) -%}
{%- if target.type == 'postgres' -%}
generate_series(1, {{ n }}) as t(i)
{%- else -%}
range(1, {{ n }} + 1) as t(i)
{%- endif -%}
{%- endmacro %}
"""


@dataclass
class Model:
    index: int
    rows: int
    dim: int | None  # index of the dimension model it points at (None for a dimension)
    parent: int | None  # index of the model it selects from (None: made from bench_rows)
    defects: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"m_{self.index:03d}"


def plan(models: int = 300, seed: int = 20261201) -> list[Model]:
    """The models, their sizes, extra tests and defects (deterministic)."""
    rng = random.Random(seed)
    extras_pool = ("row_count", "null_share", "range_where", "date_floor", "dim_where", "recency", "combo")
    out: list[Model] = []
    for i in range(models):
        rows = rng.randint(10_000, 100_000)
        is_dim = i % GROUP == 0
        parent = i - 1 if i % GROUP == GROUP - 1 else None
        if parent is not None:
            rows = min(rows, out[parent].rows)
        model = Model(i, rows, None if is_dim else i - i % GROUP, parent)
        model.extras = sorted(rng.sample(extras_pool, rng.randint(0, 4)))
        if not is_dim and parent is None:
            model.defects = [name for name, mod, rem in DEFECTS if i % mod == rem]
        out.append(model)
    return out


def model_sql(model: Model, models: list[Model]) -> str:
    if model.parent is not None:  # a model built on another one: its first `rows` rows
        return (
            "{{ config(materialized='table') }}\n"
            f"select * from {{{{ ref('{models[model.parent].name}') }}}} where id <= {model.rows}\n"
        )
    d = set(model.defects)
    cases = " ".join(f"when {k} then '{c}'" for k, c in enumerate(CATEGORIES[:-1]))
    category = f"case i % 5 {cases} else '{CATEGORIES[-1]}' end"
    if "bad_category" in d:
        category = f"case when i % 997 = 0 then 'zeta' else {category} end"
    ident = "case when i % 1000 = 0 then i - 1 else i end" if "duplicate_id" in d else "i"
    amount = "cast(((i * 37) % 10000) / 100.0 as decimal(12, 2))"
    if "negative_amount" in d:
        amount = f"case when i % 500 = 0 then cast(-1 as decimal(12, 2)) else {amount} end"
    null_every = "i % 10 < 3" if "many_null_notes" in d else "i % 10 = 0"
    note = "'x' || cast(i as varchar)" if "bad_note_format" in d else "'n' || cast(i as varchar)"
    if "bad_note_format" in d:
        note = f"case when i % 700 = 0 then {note} else 'n' || cast(i as varchar) end"
    columns = [f"{ident} as id"]
    if model.dim is not None:
        dim_rows = models[model.dim].rows
        dim_id = f"1 + (i * 7919) % {dim_rows}"
        if "orphan_dim_id" in d:
            dim_id = f"case when i % 800 = 0 then {dim_rows + 5} else {dim_id} end"
        columns.append(f"cast({dim_id} as integer) as dim_id")
    columns += [
        f"{category} as category",
        f"{amount} as amount",
        "cast(date '2024-01-01' + cast(i % 365 as integer) as date) as created_date",
        f"case when {null_every} then null else {note} end as note",
        "cast(floor((i - 1) / 100) as integer) as bucket",
        "cast((i - 1) % 100 as integer) as slot",
    ]
    body = ",\n    ".join(columns)
    return (
        "{{ config(materialized='table') }}\n"
        f"select\n    {body}\nfrom {{{{ bench_rows({model.rows}) }}}}\n"
    )


def tests_yaml(model: Model, models: list[Model]) -> str:
    """The model's properties YAML: 8 base tests and its extras."""
    i = model.index
    values = ", ".join(f'"{c}"' for c in CATEGORIES)
    accepted = f"accepted_values:\n              arguments: {{values: [{values}]}}"
    if i % 2 == 0:
        accepted += "\n              config: {severity: warn}"
    elif i % 7 == 3:
        accepted += '\n              config: {where: "id > 1000"}'
    column_tests: dict[str, list[str]] = {
        "id": ["not_null", "unique"],
        "category": [accepted],
        "amount": ["pef_gx_accepted_range:\n              arguments: {min_value: 0, max_value: 100}"],
        "created_date": ["not_null"],
        "note": ["pef_gx_match_regex:\n              arguments: {regex: '^n[0-9]+$'}"],
        "bucket": [],
    }
    if model.dim is not None:
        column_tests["dim_id"] = [
            f"relationships:\n              arguments: {{to: \"ref('{models[model.dim].name}')\", field: id}}"
        ]
    else:
        column_tests["bucket"].append("not_null")
    model_tests = [
        "pef_gx_unique_combination:\n          arguments: {combination_of_columns: [bucket, slot]}"
    ]
    for extra in model.extras:
        if extra == "row_count":
            model_tests.append(
                "pef_gx_row_count_between:\n          arguments: {min_value: 10000, max_value: 100000}"
            )
        elif extra == "null_share":
            column_tests["note"].append(
                "pef_gx_not_null_proportion:\n              arguments: {at_least: 0.8}"
            )
        elif extra == "range_where":
            column_tests["amount"].append(
                "pef_gx_accepted_range:\n              arguments: {min_value: 0, max_value: 99.99}\n"
                "              config: {where: \"category = 'alpha'\"}"
            )
        elif extra == "date_floor":
            model_tests.append(
                "pef_gx_expression_is_true:\n          arguments: {expression: \"created_date >= cast('2024-01-01' as date)\"}"
            )
        elif extra == "dim_where":
            column = "dim_id" if model.dim is not None else "slot"
            column_tests.setdefault(column, []).append('not_null:\n              config: {where: "id > 500"}')
        elif extra == "recency":
            model_tests.append(
                "pef_gx_recency:\n          arguments: {field: created_date, datepart: year, interval: 5}"
            )
        elif extra == "combo":
            model_tests.append(
                "unique_combination_of_columns:\n          arguments: {combination_of_columns: [id, category]}"
            )
    lines = ["version: 2", "models:", f"  - name: {model.name}", "    data_tests:"]
    lines += [f"      - {t}" for t in model_tests]
    lines.append("    columns:")
    for column, tests in column_tests.items():
        if tests:
            lines += [f"      - name: {column}", "        data_tests:"]
            lines += [f"          - {t}" for t in tests]
    return "\n".join(lines) + "\n"


def write_project(root: Path, engine: str, duckdb_path: Path, models: int = 300) -> list[Model]:
    """A fresh dbt project `many` under root (removed first); the profile's default target is `engine`."""
    if root.exists():
        shutil.rmtree(root)
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    for part in ("pef_gx", "generic_tests"):  # the sample project's own generic tests
        shutil.copytree(REPO / "dbt_project" / "macros" / part, root / "macros" / part)
    shutil.copy(REPO / "dbt_project" / "macros" / "cross_db.sql", root / "macros" / "cross_db.sql")
    (root / "macros" / "bench_rows.sql").write_text(MACRO)
    (root / "dbt_project.yml").write_text(
        "name: many\nversion: '1.0.0'\nconfig-version: 2\nprofile: many\nmodel-paths: [models]\n"
        "macro-paths: [macros]\nflags:\n  send_anonymous_usage_stats: false\n"
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(
            f"""\
            many:
              target: {engine}
              outputs:
                duckdb: {{type: duckdb, path: "{duckdb_path}", schema: main, threads: 4}}
                postgres: {{type: postgres, host: 127.0.0.1, port: 5432, user: postgres, password: "",
                            dbname: postgres, schema: {PG_SCHEMA}, threads: 4}}
            """
        )
    )
    planned = plan(models)
    for model in planned:
        (root / "models" / f"{model.name}.sql").write_text(model_sql(model, planned))
        (root / "models" / f"{model.name}.yml").write_text(tests_yaml(model, planned))
    return planned
