"""Checks in words: the rule of each check kind as a sentence, and its observed value in the same terms.

Pure functions over plain data (the `pef_gx` meta of a suite's expectation and a check's result), used by
the model pages, the site index and GX's Data Docs (pef_gx.validation.renderers). No raw placeholders:
a relation named by its unique_id reads as "model stg_customers" / "seed country_codes".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

MAX_EXAMPLES = 5
_PART_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
                 "month": 2592000, "year": 31536000}  # fmt: skip


@dataclass(frozen=True)
class CheckWords:
    rule: str  # what the check demands
    observed: str  # what was seen, in the same terms ("" when nothing was measured)
    examples: tuple[str, ...] = ()  # a few unexpected values, NULL shown as NULL


def relation_name(unique_id: str) -> str:
    """model.pef_shop.stg_customers -> "model stg_customers"; source.p.shop.raw -> "source shop.raw"."""
    parts = str(unique_id).split(".")
    if len(parts) >= 4 and parts[0] == "source":
        return f"source {parts[-2]}.{parts[-1]}"
    if len(parts) >= 3:
        return f"{parts[0]} {parts[-1]}"
    return str(unique_id)


def value_text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(value_text(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return "(" + ", ".join(f"{k}={value_text(v)}" for k, v in value.items()) + ")"
    return "'" + str(value) + "'"


def pct(share: float) -> str:
    value = share * 100
    if value in (0, 100) or abs(value - round(value)) < 1e-9:
        return f"{value:.0f}%"
    return f"{value:.1f}%" if 0.1 <= value <= 99.9 else f"{value:.2g}%"


def span_text(seconds: float) -> str:
    """A duration in the largest whole unit: 3 days, 5 hours, 12 minutes, 100 years."""
    seconds = abs(seconds)
    for part in ("year", "day", "hour", "minute"):
        size = _PART_SECONDS[part]
        if seconds >= size:
            n = seconds / size
            amount = f"{n:.0f}" if n >= 10 or abs(n - round(n)) < 0.05 else f"{n:.1f}"
            return f"{amount} {part}{'' if amount == '1' else 's'}"
    return f"{seconds:.0f} seconds"


def interval_text(count: int, part: str) -> str:
    return span_text(int(count) * _PART_SECONDS.get(part.rstrip("s"), 86400))


def _col(columns: Sequence[str]) -> str:
    return f"`{columns[0]}`" if columns else "the value"


def _bound(value: Any) -> str:
    return (
        value_text(value)
        if isinstance(value, str)
        else f"{value:,}"
        if isinstance(value, int)
        else value_text(value)
    )


def _range_rule(subject: str, low: Any, high: Any, inclusive: bool = True) -> str:
    if low is not None and high is not None:
        word = "between" if inclusive else "strictly between"
        return f"{subject} is {word} {_bound(low)} and {_bound(high)}"
    if low is not None:
        return f"{subject} is {'at least' if inclusive else 'greater than'} {_bound(low)}"
    if high is not None:
        return f"{subject} is {'at most' if inclusive else 'less than'} {_bound(high)}"
    return f"{subject} has no bound"


def _humanise_gx(gx_type: str, kwargs: Mapping[str, Any]) -> str:
    words = gx_type.removeprefix("expect_").replace("_", " ")
    column = kwargs.get("column")
    subject, _, predicate = gx_type.removeprefix("expect_").partition("_to_")
    bounds = {k: kwargs.get(k) for k in ("min_value", "max_value")}
    if predicate == "be_between" and any(v is not None for v in bounds.values()):
        what = subject.removeprefix("column_").replace("_", " ")
        name = f"the {what} of `{column}`" if column and subject.startswith("column_") else f"the {what}"
        if subject.startswith("column_values"):
            name = f"`{column}`"
        return _range_rule(name, bounds["min_value"], bounds["max_value"])
    rest = {k: v for k, v in kwargs.items() if k not in ("column", "result_format", "catch_exceptions")}
    args = ", ".join(f"{k.replace('_', ' ')} {value_text(v)}" for k, v in sorted(rest.items()))
    head = f"`{column}`: {words.replace('column ', '', 1)}" if column else words
    return head + (f" ({args})" if args else "")


def rule_sentence(
    kind: str,
    columns: Sequence[str],
    params: Mapping[str, Any],
    *,
    severity: str = "error",
    where: str | None = None,
    description: str | None = None,
    origin_ref: str | None = None,
    expectation_type: str | None = None,
) -> str:
    """What the check demands, in one sentence."""
    c, p = _col(columns), params
    if kind == "not_null":
        text = f"{c} is never NULL"
    elif kind == "unique":
        text = f"{c} has no duplicated values"
    elif kind == "accepted_values":
        values = ", ".join(value_text(v) for v in p.get("values") or [])
        text = f"{c} is one of {values} (NULL allowed)"
    elif kind == "accepted_range":
        text = _range_rule(c, p.get("min_value"), p.get("max_value"), p.get("inclusive", True) is not False)
        text += " (NULL allowed)"
    elif kind == "relationships":
        text = f"every {c} exists in {relation_name(str(p.get('to')))} (`{p.get('field')}`)"
    elif kind == "expression_is_true":
        expression = str(p.get("expression") or "")
        text = f"every row satisfies `{columns[0] + ' ' if columns else ''}{expression}`"
    elif kind == "unique_combination":
        text = "the combination (" + ", ".join(f"`{x}`" for x in columns) + ") is unique"
    elif kind == "not_null_proportion":
        low, high = p.get("at_least", 0), p.get("at_most")
        text = f"at least {pct(float(low))} of {c} is filled in (not NULL)"
        if high not in (None, 1, 1.0):
            text = f"between {pct(float(low))} and {pct(float(high))} of {c} is filled in (not NULL)"
    elif kind in ("recency", "freshness"):
        limit = interval_text(int(p.get("interval", 1)), str(p.get("datepart", "day")))
        verb = "warn" if severity == "warn" else "fail"
        what = "source freshness: newest" if kind == "freshness" else "newest"
        text = f"{what} {c} is at most {limit} old ({verb} after {limit})"
    elif kind == "row_count_between":
        text = _range_rule("the row count", p.get("min_value"), p.get("max_value"))
    elif kind == "match_regex":
        text = f"{c} matches the pattern `{p.get('regex')}` (NULL allowed)"
    elif kind == "data_type":
        text = f"{c} has the contract's data type {p.get('type')}"
    elif kind == "table_columns":
        names = list(p.get("columns") or [])
        text = f"the {len(names)} columns " + ", ".join(f"`{x}`" for x in names) + " are still there"
    elif kind == "column_type":
        text = f"{c} exists and keeps a {p.get('family')} type"
    elif kind == "equal_rowcount":
        text = f"same row count as {relation_name(str(p.get('compare_model')))}"
    elif kind == "sequential_values":
        text = f"consecutive {c} values differ by {value_text(p.get('interval', 1))}"
    elif kind == "build_time":
        limits = [f"warn after {p['warn_after']:g}s" if p.get("warn_after") else "",
                  f"fail after {p['error_after']:g}s" if p.get("error_after") else ""]  # fmt: skip
        text = "the model builds in time (" + ", ".join(x for x in limits if x) + ")"
    elif kind == "quality_score":
        text = f"the {p.get('dimension') or 'overall'} quality score is at least {value_text(p.get('min'))}"
    elif kind == "query_time":
        text = (
            f"query `{p.get('name') or 'query'}` runs in under {value_text(p.get('max_ms'))} ms"
            f" (median of {value_text(p.get('repeat', 1))} runs)"
        )
    elif kind == "unexpected_rows":
        test = str(origin_ref or "").split(".")
        name = test[2] if len(test) > 2 else "the check's query"
        text = description or f"no row is returned by {name}"
        if description and len(test) > 2:
            text = f"{description.rstrip('.')} (test {name})"
        return text + (f", on rows where `{where}`" if where else "")
    else:
        text = _humanise_gx(str(p.get("expectation_type") or expectation_type or kind), p.get("kwargs") or {})
    if where:
        text += f", on rows where `{where}`"
    return text


def _age(observed: Any, now: str | None) -> float | None:
    try:
        seen = datetime.fromisoformat(str(observed).replace("Z", "+00:00").replace(" ", "T"))
        at = datetime.fromisoformat(str(now).replace("Z", "+00:00")) if now else datetime.now(timezone.utc)
    except ValueError:
        return None
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return (at - seen).total_seconds()


def _share(unexpected: int, total: int | None) -> str:
    return (
        f"{unexpected:,} of {total:,} rows ({pct(unexpected / total)})" if total else f"{unexpected:,} rows"
    )


def observed_sentence(
    kind: str,
    columns: Sequence[str],
    params: Mapping[str, Any],
    result: Mapping[str, Any],
    *,
    severity: str = "error",
    now: str | None = None,
    latest_value: Any = None,
) -> CheckWords:
    """The rule's observed side: `result` holds status, element_count, unexpected_count,
    unexpected_values, message (a CheckResult as a dict); `latest_value`: the newest timestamp when known."""
    status = str(result.get("status") or "")
    total = result.get("element_count")
    bad = result.get("unexpected_count")
    values = tuple(result.get("unexpected_values") or ())
    examples = tuple(value_text(v) for v in values[:MAX_EXAMPLES])
    message = str(result.get("message") or "")
    if status == "error":
        return CheckWords("", f"could not run: {message or 'no reason given'}", ())
    if status == "stale":
        return CheckWords("", f"stale: {message or 'the relation was not rebuilt by this build'}", ())
    passed = status == "pass"
    if kind in ("recency", "freshness"):
        limit = interval_text(int(params.get("interval", 1)), str(params.get("datepart", "day")))
        verb = "warn" if severity == "warn" else "fail"
        newest = values[0] if values else latest_value
        if newest is None and not passed:
            return CheckWords("", f"no row at all (NULL newest value), {verb} after {limit}", ("NULL",))
        age = _age(newest, now) if newest is not None else None
        prefix = "freshness: " if kind == "freshness" else ""
        if age is None:
            return CheckWords(
                "",
                f"{prefix}latest row within {limit}" if passed else f"{prefix}latest row older than {limit}",
                (),
            )
        return CheckWords("", f"{prefix}latest row {span_text(age)} old, {verb} after {limit}", ())
    if kind == "not_null_proportion":
        if bad is None and message.startswith("observed "):  # the engine reports GX's observed share
            try:
                share = float(message.removeprefix("observed ").strip('"'))
                bad = round(total * (1 - share)) if total else None
            except ValueError:
                bad = None
        if total and bad is not None:
            nulls = int(bad)
            filled = pct((total - nulls) / total)
            return CheckWords(
                "", f"{filled} filled in ({nulls:,} of {total:,} rows NULL)", ("NULL",) if nulls else ()
            )
        low = pct(float(params.get("at_least", 0)))
        return CheckWords("", f"met: at least {low} filled in" if passed else f"under {low} filled in", ())
    if kind == "row_count_between":
        count = total if total is not None else (values[0] if values else None)
        return CheckWords("", f"{count:,} rows" if isinstance(count, int) else "", ())
    if kind == "data_type":
        return CheckWords("", "type as declared" if passed else (message or "another data type"), ())
    if kind == "column_type":
        return CheckWords("", "type family kept" if passed else (message or "another type"), ())
    if kind == "table_columns":
        return CheckWords("", "every column there" if passed else (message or "a column is missing"), ())
    if kind == "equal_rowcount":
        return CheckWords(
            "", "same row count" if passed else f"row counts differ ({', '.join(examples)} rows here)", ()
        )
    if passed:
        if bad == 0:
            return CheckWords("", f"all {total:,} rows as expected" if total else "no unexpected row", ())
        return CheckWords("", "met", ())
    if bad is None:
        return CheckWords("", message or "failed", examples)
    what = {
        "not_null": "NULL",
        "unique": "with a duplicated value",
        "accepted_values": "with another value",
        "accepted_range": "outside the range",
        "relationships": f"without a parent in {relation_name(str(params.get('to')))}",
        "match_regex": "not matching",
        "unique_combination": "with a duplicated combination",
        "sequential_values": "out of sequence",
    }.get(kind, "unexpected")
    if kind == "not_null":
        examples = ("NULL",)
    return CheckWords("", f"{_share(int(bad), total)} {what}", examples)


def words_for(
    meta: Mapping[str, Any],
    result: Mapping[str, Any] | None,
    *,
    now: str | None = None,
    latest_value: Any = None,
    describe: Callable[[str], str] | None = None,
) -> CheckWords:
    """Rule and observed value of a check from its suite meta (`pef_gx`) and its result (or None)."""
    kind = str(meta.get("kind") or "gx_native")
    columns = tuple(meta.get("columns") or ())
    params = meta.get("params") or {}
    severity = str(meta.get("severity") or "error")
    origin = meta.get("origin") or {}
    rule = rule_sentence(
        kind,
        columns,
        params,
        severity=severity,
        where=meta.get("where"),
        description=meta.get("description") if kind == "unexpected_rows" else None,
        origin_ref=origin.get("ref") if isinstance(origin, Mapping) else None,
    )
    if result is None:
        return CheckWords(rule, "", ())
    seen = observed_sentence(
        kind, columns, params, result, severity=severity, now=now, latest_value=latest_value
    )
    return CheckWords(rule, seen.observed, seen.examples)
