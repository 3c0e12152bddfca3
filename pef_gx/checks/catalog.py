"""THE mapping table: check kind <-> dbt test names <-> GX expectation <-> quality dimension <-> level.

One row (`Kind`) per neutral check kind. Everything that translates between dbt, GX and pef-gx reads it;
nothing else hard-codes a test name or an expectation type.

Public API (small on purpose):

- `KINDS`: kind name -> `Kind` (fields: name, gx_type, dimension, level, dbt_tests, dbt_test, summary).
- `kind_of(name)`: the `Kind` for a neutral kind name (KeyError when unknown).
- `kind_for_dbt_test(test_name, namespace)`: the `Kind` a dbt generic test maps to, or None. Built-ins,
  `dbt_utils.*`, `dbt_expectations.*`, the project's own tests with the same names, and pef-gx's own
  `pef_gx_*` tests are all recognised.
- `dbt_params(kind, kwargs, column_name)`: dbt test arguments -> (columns, neutral params).
- `gx_expectation(spec, quoting=None, key_columns=())`: a CheckSpec -> (GX expectation type, kwargs).
  Kinds whose GX form is an unexpected-rows query get schema-free SQL (pef_gx.checks.sql_template).
- `from_gx(type, kwargs)`: a GX expectation -> (kind, columns, params), kind "gx_native" when only GX
  can express it.
- `dbt_test_entry(spec, relation_ref)`: a CheckSpec -> (test name, arguments, column-level?) for the dbt
  YAML, or None when dbt has no form of it.
- `dimension_for(kind, *metas)`: the quality dimension, honouring a user's override in `meta`
  (`pef_gx: {dimension: ...}`, or Elementary's `quality_dimension`).
- `level_of(spec)`: "row" (scored by the share of unexpected rows) or "table" (pass/fail).
- `where_in_query(spec)`: True when the `where` filter is already inside the GX query (unexpected rows);
  otherwise validation applies it with a query asset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pef_gx.checks import custom_tests
from pef_gx.checks import sql_template as sql
from pef_gx.checks.spec import DIMENSIONS, CheckSpec
from pef_gx.errors import ConfigError, did_you_mean

UNEXPECTED_ROWS = "unexpected_rows_expectation"
# pef-gx's own expectation (pef_gx.validation.custom_expectations): the column's type family
COLUMN_TYPE_FAMILY = "expect_column_type_family_to_be"
TYPE_FAMILIES = ("numeric", "string", "date", "timestamp", "boolean")


@dataclass(frozen=True)
class Kind:
    name: str
    gx_type: str  # GX 1.x expectation type (snake case); may differ per spec, see gx_expectation
    dimension: str  # default quality dimension
    level: str  # "row" | "table"
    dbt_tests: tuple[str, ...]  # dbt generic test names (bare or namespace.name) that are this kind
    dbt_test: str | None  # the dbt test pef-gx writes for this kind (None: dbt has no form of it)
    summary: str


_ROWS = UNEXPECTED_ROWS
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("not_null", "expect_column_values_to_not_be_null", "completeness", "row",
             ("not_null", "dbt_expectations.expect_column_values_to_not_be_null"), "not_null",
             "no NULL values"),
        Kind("unique", "expect_column_values_to_be_unique", "uniqueness", "row",
             ("unique", "dbt_expectations.expect_column_values_to_be_unique"), "unique",
             "no duplicated values"),
        Kind("accepted_values", "expect_column_values_to_be_in_set", "validity", "row",
             ("accepted_values", "dbt_expectations.expect_column_values_to_be_in_set"), "accepted_values",
             "values from a fixed list (NULL passes)"),
        Kind("accepted_range", "expect_column_values_to_be_between", "validity", "row",
             ("accepted_range", "dbt_utils.accepted_range", "pef_gx_accepted_range",
              "dbt_expectations.expect_column_values_to_be_between"), "pef_gx_accepted_range",
             "values between bounds (NULL passes)"),
        Kind("relationships", _ROWS, "consistency", "row", ("relationships",), "relationships",
             "every value exists in a parent relation"),
        Kind("expression_is_true", _ROWS, "accuracy", "row",
             ("expression_is_true", "dbt_utils.expression_is_true", "pef_gx_expression_is_true"),
             "pef_gx_expression_is_true", "every row satisfies an SQL predicate"),
        Kind("unique_combination", "expect_compound_columns_to_be_unique", "uniqueness", "row",
             ("unique_combination_of_columns", "dbt_utils.unique_combination_of_columns",
              "pef_gx_unique_combination", "dbt_expectations.expect_compound_columns_to_be_unique"),
             "pef_gx_unique_combination", "a combination of columns is unique"),
        Kind("not_null_proportion", "expect_column_proportion_of_non_null_values_to_be_between",
             "completeness", "table",
             ("not_null_proportion", "dbt_utils.not_null_proportion", "pef_gx_not_null_proportion"),
             "pef_gx_not_null_proportion", "share of non-NULL values at least a threshold"),
        Kind("recency", _ROWS, "timeliness", "table",
             ("recency", "dbt_utils.recency", "pef_gx_recency"), "pef_gx_recency",
             "newest value of a timestamp is recent"),
        Kind("freshness", _ROWS, "timeliness", "table", (), None,
             "source freshness: newest loaded_at_field is recent"),
        Kind("row_count_between", "expect_table_row_count_to_be_between", "completeness", "table",
             ("pef_gx_row_count_between", "dbt_expectations.expect_table_row_count_to_be_between"),
             "pef_gx_row_count_between", "row count between bounds"),
        Kind("match_regex", "expect_column_values_to_match_regex", "validity", "row",
             ("pef_gx_match_regex", "dbt_expectations.expect_column_values_to_match_regex"),
             "pef_gx_match_regex", "values match a regular expression (NULL passes)"),
        Kind("data_type", "expect_column_values_to_be_in_type_list", "validity", "table", (), None,
             "column has the contract's data type"),
        Kind("table_columns", "expect_table_columns_to_match_set", "consistency", "table",
             ("pef_gx_table_columns",), "pef_gx_table_columns",
             "the relation still has these columns (more are allowed)"),
        Kind("column_type", COLUMN_TYPE_FAMILY, "consistency", "table",
             ("pef_gx_column_type",), "pef_gx_column_type",
             "column keeps its type family (number, text, date, timestamp, boolean)"),
        Kind("equal_rowcount", _ROWS, "consistency", "table",
             ("equal_rowcount", "dbt_utils.equal_rowcount"), None, "same row count as another relation"),
        Kind("sequential_values", _ROWS, "validity", "row",
             ("sequential_values", "dbt_utils.sequential_values"), None,
             "consecutive values differ by a fixed step"),
        Kind("unexpected_rows", _ROWS, "accuracy", "row", (), None,
             "a query (singular test, other generic test) returns no rows"),
        Kind("gx_native", "", "validity", "row", (), None, "a GX expectation with no dbt counterpart"),
    )
}  # fmt: skip

# --- the framework's custom tests (pef_gx.checks.custom_tests): declared in a model's meta, no dbt form
KINDS.update(
    {
        name: Kind(name, gx_type, custom_tests.DEFAULT_DIMENSION[name], "table", (), None,
                   custom_tests.SUMMARY[name])
        for name, gx_type in custom_tests.GX_TYPES.items()
    }
)  # fmt: skip

_BY_DBT_NAME = {name: kind for kind in KINDS.values() for name in kind.dbt_tests}

# dbt_expectations.<expect_*> tests that are no special kind map to the same-named GX expectation.
# Dimension of those by a word in the name (first match wins).
_NATIVE_DIMENSIONS = (
    ("null", "completeness"),
    ("row_count", "completeness"),
    ("unique", "uniqueness"),
    ("distinct", "uniqueness"),
    ("increasing", "consistency"),
    ("decreasing", "consistency"),
    ("equal_other_table", "consistency"),
    ("pair", "consistency"),
    ("_max_", "accuracy"),
    ("_min_", "accuracy"),
    ("_mean_", "accuracy"),
    ("_sum_", "accuracy"),
    ("median", "accuracy"),
    ("stdev", "accuracy"),
)
_TABLE_LEVEL_WORDS = (
    "table_",
    "_max_",
    "_min_",
    "_mean_",
    "_sum_",
    "median",
    "stdev",
    "proportion",
    "distinct_values",
)


def kind_of(name: str) -> Kind:
    return KINDS[name]


def kind_for_dbt_test(test_name: str | None, namespace: str | None = None) -> Kind | None:
    """The kind of a dbt generic test, or None (unknown test: mirrored from its compiled SQL if any)."""
    if not test_name:
        return None
    if namespace and f"{namespace}.{test_name}" in _BY_DBT_NAME:
        return _BY_DBT_NAME[f"{namespace}.{test_name}"]
    if test_name in _BY_DBT_NAME:
        return _BY_DBT_NAME[test_name]
    if namespace == "dbt_expectations" and test_name.startswith("expect_"):
        return KINDS["gx_native"]
    return None


def native_dimension(gx_type: str) -> str:
    for word, dimension in _NATIVE_DIMENSIONS:
        if word in gx_type:
            return dimension
    return "validity"


def dimension_for(kind: str, *metas: Mapping[str, Any] | None, gx_type: str | None = None) -> str:
    """The default dimension of `kind`, unless a meta (first one wins) overrides it."""
    for meta in metas:
        if not meta:
            continue
        own = meta.get("pef_gx")
        override = (own.get("dimension") if isinstance(own, Mapping) else None) or meta.get(
            "quality_dimension"
        )
        if override:
            value = str(override).strip().lower()
            if value not in DIMENSIONS:
                hint = did_you_mean(value, DIMENSIONS) or f"use one of {', '.join(DIMENSIONS)}"
                raise ConfigError(f"unknown quality dimension '{override}' in meta", hint)
            return value
    if kind == "gx_native" and gx_type:
        return native_dimension(gx_type)
    return KINDS[kind].dimension


def level_of(spec: CheckSpec) -> str:
    if spec.kind == "gx_native":
        gx_type = str(spec.params.get("expectation_type", ""))
        return "table" if any(w in gx_type for w in _TABLE_LEVEL_WORDS) else "row"
    return KINDS[spec.kind].level


# ---------------------------------------------------------------------------------------------------
# dbt test arguments -> neutral params


def _strip(kwargs: Mapping[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in ("model", "column_name", *drop)}


def dbt_params(
    kind: Kind, kwargs: Mapping[str, Any], column_name: str | None, test_name: str | None = None
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """dbt test kwargs (test_metadata.kwargs) -> (columns, params) in the kind's neutral form."""
    column = kwargs.get("column_name") or column_name
    cols = (str(column),) if column else ()
    k = kind.name
    if k in ("not_null", "unique"):
        return cols, {}
    if k == "accepted_values":
        params: dict[str, Any] = {"values": list(kwargs.get("values") or kwargs.get("value_set") or [])}
        if kwargs.get("quote") is False:
            params["quote"] = False
        return cols, params
    if k == "accepted_range":
        params = {key: kwargs[key] for key in ("min_value", "max_value") if kwargs.get(key) is not None}
        inclusive = kwargs.get("inclusive", True)
        if "strict_min" in kwargs or "strict_max" in kwargs:  # dbt_expectations spelling
            inclusive = not (kwargs.get("strict_min") or kwargs.get("strict_max"))
        if inclusive is False:
            params["inclusive"] = False
        return cols, params
    if k == "relationships":
        return cols, {"to": kwargs.get("to"), "field": kwargs.get("field")}
    if k == "expression_is_true":
        return cols, {"expression": str(kwargs.get("expression") or "")}
    if k == "unique_combination":
        combo = kwargs.get("combination_of_columns") or kwargs.get("column_list") or []
        return tuple(str(c) for c in combo), {}
    if k == "not_null_proportion":
        params = {"at_least": kwargs.get("at_least", 0)}
        if kwargs.get("at_most") not in (None, 1, 1.0):
            params["at_most"] = kwargs["at_most"]
        return cols, params
    if k == "recency":
        field = str(kwargs.get("field") or "")
        return (field,), {
            "datepart": str(kwargs.get("datepart") or "day"),
            "interval": int(kwargs["interval"]),
        }
    if k == "row_count_between":
        return (), {key: kwargs[key] for key in ("min_value", "max_value") if kwargs.get(key) is not None}
    if k == "table_columns":
        return (), {"columns": [str(c) for c in kwargs.get("column_list") or []]}
    if k == "column_type":
        return cols, {"family": str(kwargs.get("family") or "")}
    if k == "match_regex":
        return cols, {"regex": str(kwargs.get("regex") or "")}
    if k == "equal_rowcount":
        return (), {"compare_model": kwargs.get("compare_model")}
    if k == "sequential_values":
        return cols, {"interval": kwargs.get("interval", 1)}
    if k == "gx_native":
        rest = _strip(kwargs)
        if column:
            rest["column"] = str(column)
        if rest.get("row_condition"):
            rest.pop("row_condition")  # raw SQL: becomes the check's `where`, see generators.dbt_tests
        return cols, {"expectation_type": test_name, "kwargs": rest}
    return cols, _strip(kwargs)


# ---------------------------------------------------------------------------------------------------
# neutral -> GX

# A contract data type -> the SQLAlchemy type class names GX may see for it: PostgreSQL reflects the SQL
# names (INTEGER, VARCHAR, ...), duckdb-engine partly the generic ones (Integer, String). GX skips names
# its dialect module does not know, so listing both kinds works on both backends.
_TYPE_FAMILIES = (
    (("interval",), ["INTERVAL", "Interval"]),
    (("bigint", "int8", "hugeint", "ubigint"), ["BIGINT", "INTEGER", "BigInteger", "Integer"]),
    (("smallint", "int2", "tinyint"), ["SMALLINT", "INTEGER", "SmallInteger", "Integer"]),
    (("int",), ["INTEGER", "BIGINT", "SMALLINT", "Integer", "BigInteger", "SmallInteger"]),
    (("char", "text", "string"), ["VARCHAR", "TEXT", "CHAR", "String"]),
    (("numeric", "decimal"), ["NUMERIC", "DECIMAL", "Numeric"]),
    (("double", "float", "real"), ["DOUBLE_PRECISION", "REAL", "FLOAT", "DOUBLE", "Float", "Double"]),
    (("timestamp", "datetime"), ["TIMESTAMP", "DateTime"]),
    (("date",), ["DATE", "Date"]),
    (("bool",), ["BOOLEAN", "Boolean"]),
)


_PG_ALIASES = {
    "int": "INTEGER", "int4": "INTEGER", "int8": "BIGINT", "int2": "SMALLINT", "bool": "BOOLEAN",
    "character varying": "VARCHAR", "float8": "DOUBLE PRECISION", "float4": "REAL", "decimal": "NUMERIC",
    "timestamp without time zone": "TIMESTAMP", "timestamptz": "TIMESTAMP WITH TIME ZONE",
}  # fmt: skip


def _declared_spelling(data_type: str) -> str:
    """The declared type as PostgreSQL's reflection spells it (GX compares those as strings there):
    `varchar(100)` -> `VARCHAR(100)`, `numeric(18,2)` -> `NUMERIC(18, 2)`, `int` -> `INTEGER`."""
    text = " ".join(data_type.strip().lower().split())
    base, _, rest = text.partition("(")
    base = _PG_ALIASES.get(base.strip(), base.strip()).upper()
    if not rest:
        return base
    args = ", ".join(a.strip() for a in rest.rstrip(")").split(","))
    return f"{base}({args})"


def type_names(data_type: str) -> list[str]:
    """GX type names (for expect_column_values_to_be_in_type_list) of a dbt contract data type: the
    declared spelling (PostgreSQL: GX compares type strings) and the SQLAlchemy classes of its family
    (other dialects: GX checks isinstance, skipping names its dialect does not know)."""
    declared = _declared_spelling(data_type)
    base = data_type.strip().lower().split("(")[0].strip()
    for words, names in _TYPE_FAMILIES:
        if any(w in base for w in words):
            return list(dict.fromkeys([declared, *names]))
    return [declared]


def _q(spec: CheckSpec, quoting: Mapping[str, bool | None] | None, column: str) -> str:
    return sql.escape_braces(sql.quote_ident(column, (quoting or {}).get(column)))


def _key_select(spec: CheckSpec, quoting: Mapping[str, bool | None] | None, keys: Sequence[str]) -> str:
    cols = [c for c in keys if c] or [c for c in spec.columns if c]
    if not cols:
        return "1 as pef_gx_row"
    return ", ".join(_q(spec, quoting, c) for c in dict.fromkeys(cols))


def _predicate(spec: CheckSpec) -> str:
    expression = str(spec.params.get("expression") or "")
    if spec.columns:  # dbt's column-level form: "<column> <expression>", column as dbt writes it
        return f"{spec.columns[0]} {expression}"
    return expression


def _lit(value: Any) -> str:
    return sql.escape_braces(sql.quote_literal(value))


def _rows_query(spec: CheckSpec, quoting: Mapping[str, bool | None] | None, keys: Sequence[str]) -> str:
    batch = sql.filtered(sql.BATCH, spec.where)  # "<rows> as pef_gx_rows"
    k = spec.kind
    if k == "relationships":
        col = _q(spec, quoting, spec.columns[0])
        parent = spec.params["to"]
        field = sql.escape_braces(sql.quote_ident(str(spec.params["field"])))
        return (
            f"select child.{col} from {sql.filtered(sql.BATCH, spec.where, 'child')} where child.{col} is not null and not exists "
            f"(select 1 from {sql.ref(parent)} as parent where parent.{field} = child.{col})"
        )
    if k == "expression_is_true":
        predicate = sql.escape_braces(_predicate(spec))
        return f"select {_key_select(spec, quoting, keys)} from {batch} where not ({predicate})"
    if k in ("recency", "freshness"):
        p = spec.params
        return sql.stale_query(
            spec.columns[0],
            int(p["interval"]),
            str(p["datepart"]),
            spec.where,
            (quoting or {}).get(spec.columns[0]),
        )
    if k == "equal_rowcount":
        other = sql.ref(str(spec.params["compare_model"]))
        return (
            f"select a.n from (select count(*) as n from {batch}) as a, "
            f"(select count(*) as n from {other}) as b where a.n <> b.n"
        )
    if k == "sequential_values":
        col = _q(spec, quoting, spec.columns[0])
        step = spec.params.get("interval", 1)
        return (
            f"select cur from (select {col} as cur, lag({col}) over (order by {col}) as prev from {batch}) as s "
            f"where prev is not null and cur <> prev + {_lit(step)}"
        )
    if k == "accepted_range":  # date / timestamp bounds (strings)
        col = _q(spec, quoting, spec.columns[0])
        inclusive = spec.params.get("inclusive", True)
        conds = []
        if spec.params.get("min_value") is not None:
            op = "<" if inclusive else "<="
            conds.append(f"{col} {op} {_lit(spec.params['min_value'])}")
        if spec.params.get("max_value") is not None:
            op = ">" if inclusive else ">="
            conds.append(f"{col} {op} {_lit(spec.params['max_value'])}")
        return f"select {_key_select(spec, quoting, keys)} from {batch} where {' or '.join(conds) or '1 = 0'}"
    if k == "unexpected_rows":
        return str(spec.params["query"])
    raise ValueError(f"kind {k} has no unexpected-rows form")


def where_in_query(spec: CheckSpec) -> bool:
    return gx_expectation(spec)[0] == UNEXPECTED_ROWS


def gx_expectation(
    spec: CheckSpec,
    quoting: Mapping[str, bool | None] | None = None,
    key_columns: Sequence[str] = (),
) -> tuple[str, dict[str, Any]]:
    """(GX expectation type, kwargs) for a CheckSpec. `quoting`: column -> dbt's `quote` flag."""
    k, p = spec.kind, spec.params
    if k in custom_tests.GX_TYPES:
        return custom_tests.gx_expectation(spec)
    column = spec.columns[0] if spec.columns else None
    if k == "not_null":
        return KINDS[k].gx_type, {"column": column}
    if k == "unique":
        return KINDS[k].gx_type, {"column": column}
    if k == "accepted_values":
        return KINDS[k].gx_type, {"column": column, "value_set": list(p.get("values") or [])}
    if k == "accepted_range":
        bounds = [p.get("min_value"), p.get("max_value")]
        if any(isinstance(b, str) for b in bounds):
            return UNEXPECTED_ROWS, {"unexpected_rows_query": _rows_query(spec, quoting, key_columns)}
        strict = p.get("inclusive", True) is False
        kwargs: dict[str, Any] = {"column": column, "min_value": bounds[0], "max_value": bounds[1]}
        if strict:
            kwargs.update(
                {
                    key: True
                    for key, b in zip(("strict_min", "strict_max"), bounds, strict=True)
                    if b is not None
                }
            )
        return KINDS[k].gx_type, kwargs
    if k == "unique_combination":
        return KINDS[k].gx_type, {"column_list": list(spec.columns), "ignore_row_if": "never"}
    if k == "not_null_proportion":
        return KINDS[k].gx_type, {
            "column": column,
            "min_value": p.get("at_least", 0),
            "max_value": p.get("at_most", 1),
        }
    if k == "row_count_between":
        return KINDS[k].gx_type, {"min_value": p.get("min_value"), "max_value": p.get("max_value")}
    if k == "match_regex":
        return KINDS[k].gx_type, {"column": column, "regex": p["regex"]}
    if k == "data_type":
        return KINDS[k].gx_type, {"column": column, "type_list": type_names(str(p["type"]))}
    if k == "table_columns":
        return KINDS[k].gx_type, {"column_set": list(p["columns"]), "exact_match": False}
    if k == "column_type":
        return KINDS[k].gx_type, {"column": column, "family": str(p["family"])}
    if k == "gx_native":
        return str(p["expectation_type"]), dict(p.get("kwargs") or {})
    return UNEXPECTED_ROWS, {"unexpected_rows_query": _rows_query(spec, quoting, key_columns)}


# ---------------------------------------------------------------------------------------------------
# GX -> neutral (the reverse direction: hand-written expectations)


def from_gx(gx_type: str, kwargs: Mapping[str, Any]) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """(kind, columns, params) of a GX expectation; "gx_native" when no other kind says the same thing."""
    kw = {k: v for k, v in kwargs.items() if k not in ("result_format", "catch_exceptions", "meta")}
    if gx_type in custom_tests.KIND_OF_GX_TYPE:
        return custom_tests.from_gx(gx_type, kw)
    native = ("gx_native", (str(kw["column"]),) if kw.get("column") else (),
              {"expectation_type": gx_type, "kwargs": kw})  # fmt: skip
    if kw.get("mostly") not in (None, 1, 1.0) or kw.get("row_condition"):
        return native  # dbt tests have no 'mostly' and no GX row_condition
    column = kw.get("column")
    cols = (str(column),) if column else ()
    simple = set(kw) - {"column", "mostly"}
    if gx_type == "expect_column_values_to_not_be_null" and not simple:
        return "not_null", cols, {}
    if gx_type == "expect_column_values_to_be_unique" and not simple:
        return "unique", cols, {}
    if gx_type == "expect_column_values_to_be_in_set" and simple == {"value_set"}:
        return "accepted_values", cols, {"values": list(kw["value_set"])}
    if gx_type == "expect_column_values_to_be_between" and simple <= {
        "min_value",
        "max_value",
        "strict_min",
        "strict_max",
    }:
        strict_min, strict_max = bool(kw.get("strict_min")), bool(kw.get("strict_max"))
        has_min, has_max = kw.get("min_value") is not None, kw.get("max_value") is not None
        strict = {s for s, has in ((strict_min, has_min), (strict_max, has_max)) if has}
        if len(strict) <= 1:
            params = {b: kw[b] for b in ("min_value", "max_value") if kw.get(b) is not None}
            if strict == {True}:
                params["inclusive"] = False
            return "accepted_range", cols, params
    if gx_type == "expect_compound_columns_to_be_unique" and kw.get("ignore_row_if", "never") == "never":
        return "unique_combination", tuple(str(c) for c in kw.get("column_list") or []), {}
    if (
        gx_type == "expect_column_proportion_of_non_null_values_to_be_between"
        and kw.get("min_value") is not None
    ):
        params = {"at_least": kw["min_value"]}
        if kw.get("max_value") not in (None, 1, 1.0):
            params["at_most"] = kw["max_value"]
        return "not_null_proportion", cols, params
    if gx_type == "expect_table_row_count_to_be_between" and set(kw) <= {"min_value", "max_value"}:
        return (
            "row_count_between",
            (),
            {b: kw[b] for b in ("min_value", "max_value") if kw.get(b) is not None},
        )
    if gx_type == "expect_column_values_to_match_regex" and simple == {"regex"}:
        return "match_regex", cols, {"regex": str(kw["regex"])}
    if (
        gx_type == "expect_table_columns_to_match_set"
        and kw.get("exact_match") is False
        and set(kw) == {"column_set", "exact_match"}
    ):
        return "table_columns", (), {"columns": [str(c) for c in kw["column_set"] or []]}
    if gx_type == COLUMN_TYPE_FAMILY and simple == {"family"}:
        return "column_type", cols, {"family": str(kw["family"])}
    return native


# ---------------------------------------------------------------------------------------------------
# neutral -> dbt YAML (the tests pef-gx writes)


def dbt_test_entry(
    spec: CheckSpec, relation_ref: Callable[[str], str | None]
) -> tuple[str, dict[str, Any], bool] | None:
    """(test name, arguments, column-level) for the dbt YAML, or None when dbt cannot express it.

    `relation_ref(unique_id)` returns "ref('name')" / "source('a', 'b')" for a parent relation.
    """
    kind = KINDS.get(spec.kind)
    if kind is None or kind.dbt_test is None:
        return None
    p = dict(spec.params)
    if spec.kind in ("not_null", "unique"):
        return kind.dbt_test, {}, True
    if spec.kind == "accepted_values":
        return (
            kind.dbt_test,
            {"values": list(p["values"]), **({"quote": False} if p.get("quote") is False else {})},
            True,
        )
    if spec.kind == "accepted_range":
        args = {b: p[b] for b in ("min_value", "max_value") if p.get(b) is not None}
        if p.get("inclusive") is False:
            args["inclusive"] = False
        return kind.dbt_test, args, True
    if spec.kind == "relationships":
        to = relation_ref(str(p["to"]))
        return (kind.dbt_test, {"to": to, "field": p["field"]}, True) if to else None
    if spec.kind == "expression_is_true":
        return kind.dbt_test, {"expression": _predicate(spec)}, False
    if spec.kind == "unique_combination":
        return kind.dbt_test, {"combination_of_columns": list(spec.columns)}, False
    if spec.kind == "not_null_proportion":
        return (
            kind.dbt_test,
            {"at_least": p["at_least"], **({"at_most": p["at_most"]} if "at_most" in p else {})},
            True,
        )
    if spec.kind == "recency":
        return (
            kind.dbt_test,
            {"field": spec.columns[0], "datepart": p["datepart"], "interval": p["interval"]},
            False,
        )
    if spec.kind == "row_count_between":
        return kind.dbt_test, dict(p), False
    if spec.kind == "match_regex":
        return kind.dbt_test, {"regex": p["regex"]}, True
    if spec.kind == "table_columns":
        return kind.dbt_test, {"column_list": list(p["columns"])}, False
    if spec.kind == "column_type":
        return kind.dbt_test, {"family": p["family"]}, True
    return None
