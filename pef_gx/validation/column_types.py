"""The type checks read from the warehouse's catalog, for a warehouse GX does not run on (Spark).

GX decides `expect_column_values_to_be_in_type_list` by SQLAlchemy reflection: PostgreSQL's type strings,
other dialects' type classes (isinstance). pef-gx writes a contract's type list as the declared spelling
plus the names of its type family (pef_gx.checks.catalog.type_names). Here the column's catalog type is
spelled the same way, and the check passes when the two lists share a name: the declared type itself, or a
type of the same kind (an `int` column passes a `bigint` contract, as an Integer is one for GX; a `double`
does not pass a `decimal(18,2)` contract). The type family check is pef-gx's own rule, the same as GX
runs it (pef_gx.validation.custom_expectations).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pef_gx.checks.catalog import type_names
from pef_gx.validation.compiler import TYPE_FAMILY, TYPE_LIST
from pef_gx.validation.suites import Check
from pef_gx.warehouse.sql import type_family


def verdict(check: Check, columns: Mapping[str, str]) -> tuple[bool, dict[str, Any]]:
    """(success, GX-shaped result) of a type check on a relation with these {column: catalog type}."""
    wanted = str(check.kwargs["column"]).casefold()
    found = [t for name, t in columns.items() if name.casefold() == wanted]
    if not found:
        return False, {"observed_value": "no such column"}
    actual = found[0]
    if check.gx_type == TYPE_FAMILY:
        family = type_family(actual)
        return family == str(check.kwargs["family"]), {
            "observed_value": actual,
            "details": {"family": family},
        }
    assert check.gx_type == TYPE_LIST
    listed = {str(n).casefold() for n in check.kwargs["type_list"]}
    names = type_names(actual)
    if type_family(actual) == "other":  # arrays, structs, maps...: only the type as declared
        names = names[:1]
    return any(n.casefold() in listed for n in names), {"observed_value": actual}
