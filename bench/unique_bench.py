"""Uniqueness: one sort (lag/lead) or a hash GROUP BY? The compiled engine's choice, measured per engine.

On TPC-H SF1 (made by bench/checkpoint_bench.py: bench/out/tpch_sf1.duckdb and PostgreSQL schema
pef_bench), the exact statements pef_gx.validation.compiler writes, each run twice, the faster kept:
  orders.o_orderkey (1.5M distinct integers), lineitem.l_orderkey (integers, most repeated),
  lineitem.l_comment (long strings), lineitem (l_orderkey, l_linenumber) (a compound key, 6M distinct).
The compiler sorts for numbers, dates and compound keys and groups for text; this prints both so the rule
can be checked on each engine. Run: python bench/unique_bench.py [duckdb|postgres ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pef_gx.validation import compiler  # noqa: E402
from pef_gx.warehouse import dialect as sqld  # noqa: E402

CASES = [
    ("orders", ["o_orderkey"], "numeric"),
    ("lineitem", ["l_orderkey"], "numeric"),
    ("lineitem", ["l_comment"], "string"),
    ("lineitem", ["l_orderkey", "l_linenumber"], "compound"),
]


def statements(engine: str, schema: str, table: str, columns: list[str]) -> dict[str, str]:
    from sqlglot import exp

    dialect = sqld.dialect_of(engine)
    relation = sqld.table(schema, table)
    cols = [sqld.column(c) for c in columns]
    not_null = exp.and_(*[exp.Not(this=exp.Is(this=c.copy(), expression=exp.null())) for c in cols])
    out = {"sort": sqld.render(compiler.sorted_duplicates(cols, relation, not_null), dialect)}
    if len(cols) == 1:
        out["group by"] = sqld.render(compiler.grouped_duplicates(cols[:1], relation, not_null), dialect)
    return out


def connect(engine: str):  # type: ignore[no-untyped-def]
    if engine == "duckdb":
        import duckdb

        path = REPO / "bench" / "out" / "tpch_sf1.duckdb"
        if not path.exists():
            return None, f"{path} missing: run bench/checkpoint_bench.py first"
        return duckdb.connect(str(path), read_only=True), "main"
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("select count(*) from information_schema.tables where table_schema = 'pef_bench'")
    if cur.fetchone()[0] < 2:
        return None, "schema pef_bench missing: run bench/checkpoint_bench.py first"
    return conn, "pef_bench"


def main(engines: list[str]) -> int:
    for engine in engines:
        conn, schema = connect(engine)
        if conn is None:
            print(f"{engine}: skipped ({schema})")
            continue
        print(f"\n{engine}: seconds (faster of 2 runs); the compiler's choice marked *")
        for table, columns, kind in CASES:
            timings = {}
            for method, sql in statements(engine, schema, table, columns).items():
                best = float("inf")
                for _ in range(2):
                    cur = conn.cursor()
                    started = time.perf_counter()
                    cur.execute(sql)
                    cur.fetchall()
                    best = min(best, time.perf_counter() - started)
                timings[method] = best
            chosen = "group by" if kind == "string" else "sort"
            cells = "  ".join(f"{m}{'*' if m == chosen else ' '} {t:6.2f}" for m, t in timings.items())
            print(f"  {table}({', '.join(columns)}) [{kind}]: {cells}")
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["duckdb", "postgres"]))
