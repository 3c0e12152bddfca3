"""Build ValidationRun objects in code for the pure scoring functions (the real results file comes from
`pef-gx build`; see test_integration.py)."""

from __future__ import annotations

import hashlib

from pef_gx.results.model import CheckResult, ValidationRun


def check(
    node: str,
    kind: str,
    columns: tuple[str, ...] = (),
    dimension: str = "validity",
    status: str = "pass",
    severity: str = "error",
    level: str = "row",
    evaluated: int | None = 100,
    unexpected: int | None = 0,
    project: str = "pef_shop",
) -> CheckResult:
    node_id = f"model.{project}.{node}"
    check_id = hashlib.sha256(f"{node_id}|{kind}|{columns}".encode()).hexdigest()[:16]
    return CheckResult(
        check_id=check_id,
        suite=node,
        node_id=node_id,
        node_name=node,
        columns=columns,
        kind=kind,
        expectation_type=f"expect_{kind}",
        origin_type="dbt_test",
        origin_ref=None,
        dimension=dimension,
        severity=severity,
        level=level,
        status=status,
        element_count=evaluated if level == "row" else None,
        unexpected_count=unexpected if level == "row" else None,
    )


def run(
    checks: list[CheckResult],
    run_id: str = "run-1",
    project: str = "pef_shop",
    started_at: str = "2026-11-26T10:00:00Z",
) -> ValidationRun:
    return ValidationRun(
        run_id=run_id,
        project=project,
        target_name="duckdb",
        target_type="duckdb",
        schema="main",
        command="build",
        started_at=started_at,
        finished_at=started_at,
        elapsed_s=1.0,
        checks=checks,
    )


def shop_checks() -> list[CheckResult]:
    """A small shop: failures in completeness, uniqueness and consistency; nothing on timeliness."""
    return [
        check("stg_customers", "not_null", ("customer_id",), "completeness"),
        check(
            "stg_customers",
            "not_null",
            ("email",),
            "completeness",
            status="warn",
            severity="warn",
            unexpected=4,
            evaluated=500,
        ),
        check("stg_customers", "unique", ("customer_id",), "uniqueness", evaluated=500),
        check(
            "stg_customers",
            "expression_is_true",
            ("updated_at",),
            "accuracy",
            status="fail",
            unexpected=1,
            evaluated=500,
        ),
        check("stg_orders", "unique", ("order_id",), "uniqueness", evaluated=2000),
        check("stg_orders", "accepted_values", ("status",), "validity", evaluated=2000),
        check("stg_orders", "row_count_between", (), "accuracy", level="table"),
        check(
            "stg_payments",
            "accepted_range",
            ("amount",),
            "validity",
            status="fail",
            unexpected=1,
            evaluated=1800,
        ),
        check(
            "stg_order_items",
            "relationships",
            ("product_id",),
            "consistency",
            status="warn",
            severity="warn",
            unexpected=1,
            evaluated=5000,
        ),
        check("fct_orders", "not_null", ("order_id",), "completeness", evaluated=2000),
        check("fct_orders", "equal_rowcount", (), "consistency", status="error", level="table"),
    ]
