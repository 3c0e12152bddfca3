"""Compile a suite's expectations into SQL: one aggregate statement per table computes GX's numbers.

Every row-level expectation pef-gx writes (not null, in set, between, regex, ...) becomes a few
`SUM(CASE ...)` columns of ONE `SELECT ... FROM <table>`: the rows the check sees (its dbt `where:` is a
predicate inside the CASE, so filtered checks share the scan too), the non-null ones, the unexpected ones.
Table-level numbers (row count, share of non-nulls) come from the same scan. What cannot share it runs
as its own statement: uniqueness (a GROUP BY, or one sorted pass with lag()/lead() for a compound key) and
each unexpected-rows query (a COUNT over the query). Unexpected values are fetched later, only for the
checks that failed (pef_gx.validation.compiled_engine).

Statements are sqlglot trees rendered for the warehouse's dialect (pef_gx.warehouse.dialect), so a new
engine is a dialect name. An expectation the compiler does not know, or one with an option it does not
model (a suite parameter, a row_condition, ...), is left to GX: `TablePlan.leftovers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pef_gx.validation.suites import UNEXPECTED_ROWS, Check
from pef_gx.warehouse import dialect as sqld
from pef_gx.warehouse.sql import type_family

NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"
IN_SET = "expect_column_values_to_be_in_set"
NOT_IN_SET = "expect_column_values_to_not_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
REGEX = "expect_column_values_to_match_regex"
NOT_REGEX = "expect_column_values_to_not_match_regex"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
NON_NULL_SHARE = "expect_column_proportion_of_non_null_values_to_be_between"
ROW_COUNT_BETWEEN = "expect_table_row_count_to_be_between"
ROW_COUNT_EQUAL = "expect_table_row_count_to_equal"
QUERY_TIME = "expect_query_execution_time_to_be_below"  # pef-gx's own (pef_gx.validation.custom_expectations)
TYPE_LIST = "expect_column_values_to_be_in_type_list"
TYPE_FAMILY = "expect_column_type_family_to_be"  # pef-gx's own
# Read from the catalog, not from rows. GX's verdict is SQLAlchemy reflection and GX's type-class rules,
# so on warehouses GX runs on (DuckDB, PostgreSQL) GX keeps them; where GX is not connected (Spark) the
# compiler reads them (pef_gx.validation.column_types).
SCHEMA_TYPES = frozenset({TYPE_LIST, TYPE_FAMILY})
# Tables up to this many rows check uniqueness with a distinct count in the scan first (measured on the
# 300-model bench, 10k-100k rows, DuckDB and PostgreSQL: a distinct count costs less than a sort or a
# GROUP BY statement; bench/unique_bench.py: on millions of numeric keys one sorted pass wins)
SMALL_TABLE_ROWS = 1_000_000

# kwargs GX accepts on every expectation that do not change what is computed
_NEUTRAL = {"result_format", "catch_exceptions", "include_config", "meta", "notes", "description"}
_KWARGS = {
    NOT_NULL: {"column", "mostly"},
    UNIQUE: {"column", "mostly"},
    IN_SET: {"column", "value_set", "mostly"},
    NOT_IN_SET: {"column", "value_set", "mostly"},
    BETWEEN: {"column", "min_value", "max_value", "strict_min", "strict_max", "mostly"},
    REGEX: {"column", "regex", "mostly"},
    NOT_REGEX: {"column", "regex", "mostly"},
    COMPOUND_UNIQUE: {"column_list", "ignore_row_if", "mostly"},
    NON_NULL_SHARE: {"column", "min_value", "max_value", "strict_min", "strict_max"},
    ROW_COUNT_BETWEEN: {"min_value", "max_value", "strict_min", "strict_max"},
    ROW_COUNT_EQUAL: {"value"},
    UNEXPECTED_ROWS: {"unexpected_rows_query"},
    QUERY_TIME: {"query", "max_ms", "repeat", "query_name"},
}
COMPILED_TYPES = frozenset(_KWARGS)
_MAP_TYPES = {IN_SET, NOT_IN_SET, BETWEEN, REGEX, NOT_REGEX}  # a condition per non-null value


class LazySQL:
    """A statement rendered on first use: a small table's distinct count usually settles uniqueness, and
    building the statement's tree then costs more than the scan it saves (sqlglot copies every node)."""

    def __init__(self, build: Callable[[], str]) -> None:
        self._build, self._sql = build, None

    def __str__(self) -> str:
        if self._sql is None:
            self._sql = self._build()
        return self._sql


@dataclass
class CompiledCheck:
    """How to read one check's numbers: aliases of the scan's columns, or its own statement."""

    check: Check
    shape: str  # not_null | map | unique | multicolumn | aggregate | rows | timed | schema
    elements: str | None = None  # alias: rows the check sees (after its `where:`)
    nonnull: str | None = None  # alias: of those, rows where the column is not null
    unexpected: str | None = None  # alias: unexpected rows (map and not-null checks)
    observed: str | None = None  # alias: the measured value of a table-level check
    statement: str | LazySQL | None = None  # its own statement (uniqueness, unexpected-rows count)
    # builds the scalar subquery (or the statement) listing unexpected values: only for a failing check
    examples: Callable[[], Any] | None = None
    examples_per_row: bool = False  # `examples` is a statement returning rows, not a scalar subquery
    # alias: distinct non-null values (a uniqueness check on a small table): as many as non-null values
    # means no duplicates, and `statement` need not run
    distinct: str | None = None
    keyed: str | None = None  # alias: rows whose key can repeat (no NULL in it), compared with `distinct`


@dataclass
class TablePlan:
    relation_sql: str
    scan: str  # the one aggregate statement; its column `pef_rows` is the table's row count
    checks: list[CompiledCheck] = field(default_factory=list)
    leftovers: list[Check] = field(default_factory=list)  # run by GX
    scan_parts: dict[str, Any] = field(default_factory=dict)  # alias -> expression (to isolate an error)
    dialect: str = "duckdb"


def compiles(check: Check, schema_checks: bool = False) -> bool:
    """The compiler knows this expectation with exactly these options (`schema_checks`: the type checks
    too, for a warehouse GX does not run on)."""
    if check.gx_type in SCHEMA_TYPES:
        return schema_checks and _schema_check_ok(check)
    allowed = _KWARGS.get(check.gx_type)
    if allowed is None:
        return False
    kwargs = {k: v for k, v in check.kwargs.items() if k not in _NEUTRAL and v is not None}
    if set(kwargs) - allowed or any(isinstance(v, dict) for v in kwargs.values()):  # $PARAMETER: GX
        return False
    mostly = kwargs.get("mostly", 1)
    if isinstance(mostly, bool) or not isinstance(mostly, (int, float)) or not 0 <= mostly <= 1:
        return False
    if check.gx_type in (IN_SET, NOT_IN_SET):
        values = kwargs.get("value_set")
        return isinstance(values, list) and bool(values) and all(_scalar(v) for v in values)
    if check.gx_type in (BETWEEN, NON_NULL_SHARE, ROW_COUNT_BETWEEN):
        bounds = [kwargs.get("min_value"), kwargs.get("max_value")]
        if check.gx_type == BETWEEN and bounds == [None, None]:
            return False  # GX raises for it: let GX say so
        numeric = check.gx_type != BETWEEN
        return all(v is None or _scalar(v, numeric=numeric) for v in bounds)
    if check.gx_type == COMPOUND_UNIQUE:
        columns = kwargs.get("column_list")
        return (
            isinstance(columns, list)
            and bool(columns)
            and kwargs.get("ignore_row_if", "all_values_are_missing")
            in ("all_values_are_missing", "any_value_is_missing", "never")
        )
    if check.gx_type in (REGEX, NOT_REGEX):
        return isinstance(kwargs.get("regex"), str)
    if check.gx_type == ROW_COUNT_EQUAL:
        return isinstance(kwargs.get("value"), int) and not isinstance(kwargs.get("value"), bool)
    if check.gx_type == UNEXPECTED_ROWS:
        return isinstance(kwargs.get("unexpected_rows_query"), str)
    if check.gx_type == QUERY_TIME:
        return isinstance(kwargs.get("query"), str) and _scalar(kwargs.get("max_ms"), numeric=True)
    return True


def _schema_check_ok(check: Check) -> bool:
    kwargs = {k: v for k, v in check.kwargs.items() if k not in _NEUTRAL and v is not None}
    if check.gx_type == TYPE_LIST:
        names = kwargs.get("type_list")
        shape_ok = isinstance(names, list) and bool(names) and all(isinstance(n, str) for n in names)
        return set(kwargs) <= {"column", "type_list", "mostly"} and shape_ok
    return set(kwargs) <= {"column", "family"} and isinstance(kwargs.get("family"), str)


def _scalar(value: Any, numeric: bool = False) -> bool:
    if isinstance(value, bool):
        return not numeric
    if numeric:
        return isinstance(value, (int, float))
    return isinstance(value, (int, float, str))


def compile_table(
    checks: Sequence[Check],
    schema: str,
    identifier: str,
    database: str | None,
    dialect: str,
    render_query: Callable[[str], str],
    only_gx: bool = False,
    column_types: Mapping[str, str] | None = None,
    schema_checks: bool = False,
    row_estimate: int | None = None,
    hash_keys: bool = False,
) -> TablePlan:
    """The plan for one relation; `render_query` turns an unexpected-rows query into this target's SQL.
    `schema_checks`: compile the type checks too (read from `column_types`; GX is not connected).
    `row_estimate`: the catalog's row count of a table, when it has one (small tables check uniqueness
    another way). `hash_keys`: the server has PostgreSQL's extended hash functions (14+)."""
    from sqlglot import exp

    table = sqld.table(schema, identifier, database)
    plan = TablePlan(relation_sql=sqld.render(table, dialect), scan="")
    scan = _Scan()
    scan.add(("n", None), "pef_rows", lambda: exp.Count(this=exp.Star()))
    filters: dict[str, Any] = {}
    types = {k.lower(): v for k, v in (column_types or {}).items()}
    small = (
        row_estimate is not None and row_estimate <= SMALL_TABLE_ROWS and dialect in ("duckdb", "postgres")
    )
    keying = _Keying(small, types, dialect, hash_keys and dialect == "postgres")
    for check in checks:
        if only_gx or not compiles(check, schema_checks):
            plan.leftovers.append(check)
            continue
        if check.gx_type in SCHEMA_TYPES:
            plan.checks.append(CompiledCheck(check, "schema"))
            continue
        try:
            where = _filter(check, dialect, filters)
        except ValueError:
            plan.leftovers.append(check)  # a `where:` sqlglot cannot read: GX runs it as written
            continue
        plan.checks.append(_compile_check(check, table, where, scan, render_query, keying))
    # copy=False: the parts are built for this statement only (sqlglot copies every tree by default)
    parts = scan.parts
    if dialect == "postgres":
        parts = {alias: _count_filter(expression) for alias, expression in parts.items()}
    aliased = [exp.alias_(expr, alias, copy=False) for alias, expr in parts.items()]
    select = exp.Select(expressions=aliased).from_(table, copy=False)
    plan.scan = sqld.render(select, dialect)
    plan.scan_parts, plan.dialect = parts, dialect  # rendered one by one only if the scan fails
    return plan


class _Scan:
    """The aggregate columns of a table's one scan; a count two checks need is computed once."""

    def __init__(self) -> None:
        self.parts: dict[str, Any] = {}
        self._aliases: dict[tuple[Any, ...], str] = {}

    def add(self, key: tuple[Any, ...], alias: str, build: Callable[[], Any]) -> str:
        if key not in self._aliases:
            self.parts[alias] = build()
            self._aliases[key] = alias
        return self._aliases[key]


def _filter(check: Check, dialect: str, cache: dict[str, Any]) -> Any | None:
    if not check.needs_filtered_batch or not check.where:
        return None
    if check.where not in cache:
        cache[check.where] = sqld.condition(check.where, dialect).copy()
    return cache[check.where]


def _count_if(condition: Any | None) -> Any:
    from sqlglot import exp

    if condition is None:
        return exp.Count(this=exp.Star())
    case = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Sum(this=case)


def _count_filter(expression: Any) -> Any:
    """PostgreSQL: SUM(CASE WHEN c THEN 1 ELSE 0 END) as COUNT(*) FILTER (WHERE c), 8% cheaper on the
    300-model bench's scans. The same count, except 0 instead of NULL over no rows, which the engine
    reads alike (pef_gx.validation.compiled_engine takes a NULL count as 0)."""
    from sqlglot import exp

    case = expression.this if isinstance(expression, exp.Sum) else None
    if not isinstance(case, exp.Case) or len(case.args.get("ifs") or []) != 1:
        return expression
    only = case.args["ifs"][0]
    one, zero = only.args.get("true"), case.args.get("default")
    if not (
        isinstance(one, exp.Literal)
        and one.this == "1"
        and isinstance(zero, exp.Literal)
        and zero.this == "0"
    ):
        return expression
    return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=only.this))


def _and(*conditions: Any | None) -> Any | None:
    from sqlglot import exp

    present = [c.copy() for c in conditions if c is not None]
    if not present:
        return None
    return exp.and_(*[exp.Paren(this=c) for c in present]) if len(present) > 1 else present[0]


def _compile_check(
    check: Check,
    table: Any,
    where: Any | None,
    scan: _Scan,
    render_query: Callable[[str], str],
    keying: _Keying,
) -> CompiledCheck:
    from sqlglot import exp

    i = check.index
    dialect, small, column_types = keying.dialect, keying.small, keying.types
    kwargs = check.kwargs
    gx = check.gx_type
    if gx == UNEXPECTED_ROWS:
        query = render_query(str(kwargs["unexpected_rows_query"]))
        return CompiledCheck(
            check,
            "rows",
            # a newline before ")": the query may end with a `--` comment
            statement=f"select count(*) as pef_unexpected from ({query}\n) as pef_rows",
            examples=lambda: f"select * from ({query}\n) as pef_rows",
            examples_per_row=True,
        )
    if gx == QUERY_TIME:  # timed, not counted: run `repeat` times as written (its own statement)
        return CompiledCheck(check, "timed", statement=render_query(str(kwargs["query"])))
    if gx in (ROW_COUNT_BETWEEN, ROW_COUNT_EQUAL):
        n = scan.add(("n", check.where), f"c{i}_n", lambda: _count_if(where))
        return CompiledCheck(check, "aggregate", observed=n)
    if gx == COMPOUND_UNIQUE:
        return _compound_unique(check, table, where, scan, keying)

    column = sqld.column(str(kwargs["column"]))
    is_null = exp.Is(this=column.copy(), expression=exp.null())
    not_null = exp.Not(this=is_null.copy())
    name = str(kwargs["column"])
    n = scan.add(("n", check.where), f"c{i}_n", lambda: _count_if(where))
    nn = scan.add(("nn", name, check.where), f"c{i}_nn", lambda: _count_if(_and(where, not_null)))
    if gx == NON_NULL_SHARE:
        return CompiledCheck(check, "aggregate", elements=n, nonnull=nn)
    if gx == NOT_NULL:
        u = scan.add(("null", name, check.where), f"c{i}_u", lambda: _count_if(_and(where, is_null)))
        return CompiledCheck(check, "not_null", n, nn, u)  # examples: NULLs
    if gx == UNIQUE:
        distinct = None
        if small:  # a distinct count in the scan settles the usual case (no duplicates) without a statement
            counted = keying.key([column], [name]) or column
            values = (
                exp.Case(ifs=[exp.If(this=where.copy(), true=counted.copy())])
                if where is not None
                else counted
            )
            key = ("distinct", name, check.where)
            distinct = scan.add(
                key, f"c{i}_d", lambda: exp.Count(this=exp.Distinct(expressions=[values.copy()]))
            )
        # measured (bench/unique_bench.py): one sort beats a hash GROUP BY on numbers and dates (mostly
        # distinct keys) of big tables, the GROUP BY wins on long strings and on small tables
        family = type_family(column_types.get(str(kwargs["column"]).lower(), ""))

        def total() -> str:
            if family in ("numeric", "date", "timestamp") and _sorts_well(dialect) and not small:
                return sqld.render(sorted_duplicates([column], table, _and(where, not_null)), dialect)
            return sqld.render(grouped_duplicates([column], table, _and(where, not_null)), dialect)

        def duplicated_values() -> Any:
            return _array_of(column, _repeated([column], table, _and(where, not_null), column.copy()))

        return CompiledCheck(
            check,
            "unique",
            n,
            nn,
            statement=LazySQL(total),
            examples=duplicated_values,
            distinct=distinct,
        )
    bad = exp.Not(this=exp.Paren(this=_condition(gx, column, kwargs)))
    scan.parts[f"c{i}_u"] = _count_if(_and(where, not_null, bad))
    unexpected = _and(where, not_null, bad)
    return CompiledCheck(
        check, "map", n, nn, f"c{i}_u", examples=lambda: _examples(column, unexpected, table)
    )


def _condition(gx: str, column: Any, kwargs: Mapping[str, Any]) -> Any:
    """The expected condition of a map expectation on one non-null value (GX's SQL semantics)."""
    from sqlglot import exp

    if gx in (IN_SET, NOT_IN_SET):
        inside = exp.In(this=column.copy(), expressions=[sqld.literal(v) for v in kwargs["value_set"]])
        return inside if gx == IN_SET else exp.Not(this=inside)
    if gx in (REGEX, NOT_REGEX):
        match = exp.RegexpLike(this=column.copy(), expression=exp.Literal.string(str(kwargs["regex"])))
        return match if gx == REGEX else exp.Not(this=match)
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    bounds = []
    if low is not None:
        op = exp.GT if kwargs.get("strict_min") else exp.GTE
        bounds.append(op(this=column.copy(), expression=sqld.literal(low)))
    if high is not None:
        op = exp.LT if kwargs.get("strict_max") else exp.LTE
        bounds.append(op(this=column.copy(), expression=sqld.literal(high)))
    return exp.and_(*bounds) if len(bounds) > 1 else bounds[0]


def _compound_unique(
    check: Check, table: Any, where: Any | None, scan: _Scan, keying: _Keying
) -> CompiledCheck:
    """One sorted pass: a row is a duplicate when its key equals (=) its neighbour's in key order.

    Like GX's self-join to a GROUP BY, a key with a NULL in it never equals another. Rows GX ignores
    (ignore_row_if) are filtered first; the scan counts all rows the check sees.
    """
    from sqlglot import exp

    i = check.index
    dialect, small = keying.dialect, keying.small
    columns = [sqld.column(str(c)) for c in check.kwargs["column_list"]]
    ignore = check.kwargs.get("ignore_row_if", "all_values_are_missing")
    nulls = [exp.Is(this=c.copy(), expression=exp.null()) for c in columns]
    if ignore == "all_values_are_missing":
        kept = exp.Not(this=exp.Paren(this=exp.and_(*nulls)))
    elif ignore == "any_value_is_missing":
        kept = exp.and_(*[exp.Not(this=n) for n in nulls])
    else:
        kept = None
    n = scan.add(("n", check.where), f"c{i}_n", lambda: _count_if(where))
    key = ("kept", tuple(check.kwargs["column_list"]), ignore, check.where)
    nn = scan.add(key, f"c{i}_nn", lambda: _count_if(_and(where, kept)))
    keys_not_null = exp.and_(*[exp.Not(this=n.copy()) for n in nulls])
    keyed = distinct = None
    if small:  # as for one column: as many distinct keys as keys without a NULL means no duplicates
        only = _and(where, keys_not_null)
        names = tuple(check.kwargs["column_list"])
        keyed = scan.add(("keyed", names, check.where), f"c{i}_k", lambda: _count_if(only))
        key_tuple = keying.key(columns, names) or exp.Tuple(expressions=[c.copy() for c in columns])
        keys = exp.Case(ifs=[exp.If(this=only.copy(), true=key_tuple)])
        distinct = scan.add(
            ("distinct", names, check.where),
            f"c{i}_d",
            lambda: exp.Count(this=exp.Distinct(expressions=[keys])),
        )

    def count() -> str:
        if _sorts_well(dialect) and not small:
            return sqld.render(sorted_duplicates(columns, table, _and(where, kept)), dialect)
        # a NULL in a key never equals another: those rows are never duplicates
        return sqld.render(grouped_duplicates(columns, table, _and(where, kept, keys_not_null)), dialect)

    def duplicated_keys() -> str:
        keys = _repeated(columns, table, _and(where, keys_not_null), *[c.copy() for c in columns])
        return sqld.render(keys, dialect)

    return CompiledCheck(
        check,
        "multicolumn",
        n,
        nn,
        statement=LazySQL(count),
        examples=duplicated_keys,
        examples_per_row=True,
        distinct=distinct,
        keyed=keyed,
    )


# The distinct-count precheck of uniqueness on a small table (`_Keying.small`) counts each key as one
# value PostgreSQL compares fast. Row values go through its generic record comparison and text through
# the collation (63k rows, 2 cores: COUNT(DISTINCT (int, text)) 154 ms, of a text 66 ms, of a bigint
# 8-12 ms; the same keys hashed 40 and 20 ms). Integer keys of 64 bits in all are packed into one bigint,
# one to one; others are hashed with the columns' own hash functions, which agree with their equality
# (collations, char padding, -0.0 = 0.0). A hash collision can only make the precheck see a duplicate,
# which sends the check to its exact statement: never a duplicate passed.
_INT_BITS = {"smallint": 16, "integer": 32, "bigint": 64}
_HASHED_TEXT = ("text", "character varying", "character")  # information_schema's names; not citext
_HASHABLE = ("numeric", "string", "date", "timestamp", "boolean")  # type families with PostgreSQL hashes


@dataclass(frozen=True)
class _Keying:
    small: bool  # a distinct count in the scan checks uniqueness first
    types: Mapping[str, str]  # lower-cased column name -> data type
    dialect: str
    hashes: bool  # PostgreSQL 14+: hashtextextended and hash_record_extended

    def key(self, columns: Sequence[Any], names: Sequence[str]) -> Any | None:
        """The key to count distinct values of, or None: count the columns themselves."""
        from sqlglot import exp

        types = [self.types.get(str(n).lower(), "") for n in names]
        if len(columns) > 1 and (packed := _packed_key(columns, types, self.dialect)) is not None:
            return packed
        if not self.hashes:
            return None
        seed = exp.Literal.number(0)
        if len(columns) == 1:
            if types[0].lower() not in _HASHED_TEXT:
                return None  # numbers, dates: compared natively, as fast as their hash
            return exp.Anonymous(this="hashtextextended", expressions=[columns[0].copy(), seed])
        if not all(type_family(t) in _HASHABLE for t in types):
            return None
        row = exp.Tuple(expressions=[c.copy() for c in columns])
        return exp.Anonymous(this="hash_record_extended", expressions=[row, seed])


def _packed_key(columns: Sequence[Any], types: Sequence[str], dialect: str) -> Any | None:
    """The key as one bigint, or None when its columns are not integers of 64 bits in all."""
    from sqlglot import exp

    bits = [_INT_BITS.get(t.lower()) for t in types]
    if dialect != "postgres" or None in bits or sum(bits) > 64:  # type: ignore[arg-type]
        return None
    packed, shift = None, 64
    for column, width in zip(columns, bits, strict=True):
        shift -= width  # type: ignore[operator]
        field = exp.BitwiseAnd(
            this=exp.cast(column.copy(), "bigint"), expression=exp.Literal.number(2**width - 1)
        )
        part = exp.paren(exp.BitwiseLeftShift(this=exp.paren(field), expression=exp.Literal.number(shift)))
        packed = part if packed is None else exp.paren(exp.BitwiseOr(this=packed, expression=part))
    return packed


def _sorts_well(dialect: str) -> bool:
    """A window over the whole table (no PARTITION BY) is one sorted pass on a single-node engine; on
    Spark it moves every row to one task, while a GROUP BY aggregates in parallel before its shuffle."""
    return dialect != "spark"


def sorted_duplicates(columns: Sequence[Any], table: Any, condition: Any | None) -> Any:
    """Rows whose key equals (=) a neighbour's in key order: one sort, no join, no hash table of all keys.

    A key with a NULL in it never equals another (as in GX's SQL)."""
    from sqlglot import exp

    order = exp.Order(expressions=[exp.Ordered(this=c.copy()) for c in columns])
    projections: list[Any] = [c.copy() for c in columns]
    for k, c in enumerate(columns):
        for fn, name in ((exp.Lag, "p"), (exp.Lead, "q")):
            window = exp.Window(this=fn(this=c.copy()), order=order.copy())
            projections.append(window.as_(f"pef_{name}{k}"))
    inner = exp.Select(expressions=projections).from_(table.copy(), copy=False)
    if condition is not None:
        inner = inner.where(condition, copy=False)

    def same(name: str) -> Any:
        return exp.and_(
            *[exp.EQ(this=c.copy(), expression=exp.column(f"pef_{name}{k}")) for k, c in enumerate(columns)]
        )

    dup = exp.or_(exp.Paren(this=same("p")), exp.Paren(this=same("q")))
    count = exp.alias_(_count_if(dup), "pef_unexpected", copy=False)
    return exp.Select(expressions=[count]).from_(inner.subquery("pef_sorted", copy=False), copy=False)


def _repeated(columns: Sequence[Any], table: Any, condition: Any | None, *projections: Any) -> Any:
    """SELECT <projections> for each key (of `columns`) that occurs more than once among the rows kept."""
    from sqlglot import exp

    return (
        exp.select(*projections)
        .from_(table.copy())
        .where(condition)
        .group_by(*[c.copy() for c in columns])
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
    )


def grouped_duplicates(columns: Sequence[Any], table: Any, condition: Any | None) -> Any:
    """Rows whose key occurs more than once: a GROUP BY (a hash table of the distinct keys)."""
    from sqlglot import exp

    grouped = _repeated(columns, table, condition, exp.Count(this=exp.Star()).as_("pef_k"))
    return exp.select(exp.Sum(this=exp.column("pef_k")).as_("pef_unexpected")).from_(
        grouped.subquery("pef_dup")
    )


def _examples(column: Any, condition: Any | None, table: Any) -> Any:
    from sqlglot import exp

    rows = exp.select(column.copy()).from_(table.copy())
    if condition is not None:
        rows = rows.where(condition)
    return _array_of(column, rows)


def _array_of(column: Any, rows: Any) -> Any:
    """(SELECT array_agg(v) FROM (<rows> LIMIT n) AS s): one typed column per check in one statement."""
    from sqlglot import exp

    limited = rows.limit(exp.Placeholder(this="limit"))
    values = exp.select(exp.ArrayAgg(this=exp.column(column.name, quoted=True))).from_(
        limited.subquery("pef_ex")
    )
    return values


def examples_statement(plan_checks: Sequence[CompiledCheck], dialect: str, limit: int) -> str | None:
    """One statement listing up to `limit` unexpected values of every failing single-column check."""
    from sqlglot import exp

    columns = []
    for compiled in plan_checks:
        if compiled.examples is None or compiled.examples_per_row:
            continue
        subquery = compiled.examples()
        for placeholder in subquery.find_all(exp.Placeholder):
            placeholder.replace(exp.Literal.number(int(limit)))
        columns.append(exp.Subquery(this=subquery).as_(f"e{compiled.check.index}"))
    if not columns:
        return None
    return sqld.render(exp.select(*columns), dialect)
