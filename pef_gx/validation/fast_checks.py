"""Expectations pef-gx evaluates with its own SQL, because GX's SQL for them is far slower.

`expect_compound_columns_to_be_unique`: GX joins the table to its own GROUP BY (on TPC-H SF1 `lineitem`
in PostgreSQL: 26 s of a 37 s checkpoint; the join spills gigabytes to temp files). One sorted pass with
lag()/lead() gives the same number in a few seconds: every row whose key equals (`=`) its neighbour's in
key order; like GX's join, a key with a NULL in it never equals another. The result is a regular GX ExpectationValidationResult,
so Data Docs show the expectation as GX would. Only a failure runs a second query for a few examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"


def quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def handles(gx_type: str, kwargs: dict[str, Any]) -> bool:
    return (
        gx_type == COMPOUND_UNIQUE
        and bool(kwargs.get("column_list"))
        and kwargs.get("mostly") in (None, 1, 1.0)
        and kwargs.get("ignore_row_if", "all_values_are_missing")
        in ("never", "all_values_are_missing", "any_value_is_missing")
        and not kwargs.get("row_condition")
    )


def compound_unique_sql(source: str, columns: Sequence[str], ignore_row_if: str) -> str:
    cols = [quote(c) for c in columns]
    if ignore_row_if == "all_values_are_missing":
        where = "where not (" + " and ".join(f"{c} is null" for c in cols) + ")"
    elif ignore_row_if == "any_value_is_missing":
        where = "where " + " and ".join(f"{c} is not null" for c in cols)
    else:
        where = ""
    order = ", ".join(cols)
    inner = ", ".join(
        [*cols]
        + [f"lag({c}) over w as pef_p{i}" for i, c in enumerate(cols)]
        + [f"lead({c}) over w as pef_n{i}" for i, c in enumerate(cols)]
    )
    same_prev = " and ".join(f"{c} = pef_p{i}" for i, c in enumerate(cols))
    same_next = " and ".join(f"{c} = pef_n{i}" for i, c in enumerate(cols))
    return (
        "select count(*) as pef_rows, "
        f"sum(case when ({same_prev}) or ({same_next}) then 1 else 0 end) as pef_unexpected "
        f"from (select {inner} from {source} as pef_src {where} window w as (order by {order})) as pef_x"
    )


def examples_sql(source: str, columns: Sequence[str], limit: int) -> str:
    cols = ", ".join(quote(c) for c in columns)
    not_null = " and ".join(f"{quote(c)} is not null" for c in columns)
    return (
        f"select {cols} from {source} as pef_src where {not_null} "
        f"group by {cols} having count(*) > 1 limit {int(limit)}"
    )


def evaluate_compound_unique(
    engine: Any, source: str, expectation: Any, row_count: int | None, limit: int
) -> Any:
    """A GX ExpectationValidationResult for a compound-uniqueness expectation, computed in one pass."""
    import sqlalchemy as sa
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

    config = expectation.configuration
    kwargs = config.kwargs
    columns = list(kwargs["column_list"])
    ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
    with engine.connect() as conn:
        rows, unexpected = conn.execute(sa.text(compound_unique_sql(source, columns, ignore))).one()
        unexpected = int(unexpected or 0)
        examples: list[Any] = []
        if unexpected and limit:
            found = conn.execute(sa.text(examples_sql(source, columns, limit))).fetchall()
            examples = [dict(zip(columns, row, strict=True)) for row in found]
    element_count = row_count if row_count is not None else int(rows or 0)
    percent = 100.0 * unexpected / int(rows) if rows else None
    result = {
        "element_count": element_count,
        "unexpected_count": unexpected,
        "unexpected_percent": percent,
        "partial_unexpected_list": examples,
        "missing_count": element_count - int(rows or 0),
    }
    return ExpectationValidationResult(success=unexpected == 0, expectation_config=config, result=result)
