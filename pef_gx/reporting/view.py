"""The format-neutral report model: what every renderer shows, already worded and graded.

Renderers (text, markdown, HTML, badges) only lay this out; they never compute a score or a delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pef_gx.scoring.compare import Comparison
from pef_gx.scoring.model import CheckOutcome, Coverage, ScoreReport

NOT_MEASURED = "not measured"

# (lowest score, colour name, hex) from best to worst; shields.io's palette.
THRESHOLDS: tuple[tuple[float, str, str], ...] = (
    (95.0, "brightgreen", "#4c1"),
    (90.0, "green", "#97ca00"),
    (80.0, "yellowgreen", "#a4a61d"),
    (70.0, "yellow", "#dfb317"),
    (60.0, "orange", "#fe7d37"),
    (0.0, "red", "#e05d44"),
)
GREY = ("lightgrey", "#9f9f9f")

MAX_LISTED = 10  # checks / models listed before "and N more"


def grade(score: float | None) -> tuple[str, str]:
    """(colour name, hex) for a score; grey when not measured."""
    if score is None:
        return GREY
    for lowest, name, hex_ in THRESHOLDS:
        if score >= lowest:
            return name, hex_
    return THRESHOLDS[-1][1], THRESHOLDS[-1][2]


def score_text(score: float | None) -> str:
    """One decimal, rounded; never shows 100 unless it is 100 (99.96 shows as 99.9)."""
    if score is None:
        return NOT_MEASURED
    if score >= 100.0:
        return "100"
    return f"{min(round(score, 1), 99.9):.1f}"


def delta_text(delta: float | None) -> tuple[str, str]:
    """(arrow, signed delta) e.g. ('▲', '+1.2'), ('▼', '-0.3'), ('=', '±0.0'); ('', '') when unknown."""
    if delta is None:
        return "", ""
    if abs(delta) < 0.05:
        return "=", "±0.0"
    return ("▲", f"+{delta:.1f}") if delta > 0 else ("▼", f"-{abs(delta):.1f}")


def share_text(covered: int, total: int) -> str:
    if not total:
        return "0/0"
    return f"{covered}/{total} ({100 * covered / total:.0f}%)"


@dataclass(frozen=True)
class ScoreRow:
    key: str  # "overall" or the dimension
    label: str
    score: float | None
    score_text: str
    color: str  # colour name (THRESHOLDS)
    color_hex: str
    checks: int
    failing: int
    coverage: Coverage
    arrow: str = ""
    delta_text: str = ""

    @property
    def models_text(self) -> str:
        return share_text(self.coverage.models_covered, self.coverage.models_total)

    @property
    def columns_text(self) -> str:
        return share_text(self.coverage.columns_covered, self.coverage.columns_total)


@dataclass(frozen=True)
class ModelRow:
    node_id: str
    name: str
    score: float | None
    score_text: str
    color_hex: str
    checks: int
    failing: int
    columns_text: str
    arrow: str = ""
    delta_text: str = ""
    # dimension -> (score text, colour hex), measured dimensions only
    dimensions: dict[str, tuple[str, str]] = field(default_factory=dict)
    stale: str | None = None  # why its checks were not scored (dbt did not rebuild it)


@dataclass(frozen=True)
class CheckLine:
    check_id: str
    label: str  # "not_null on stg_customers.email"
    dimension: str
    severity: str
    status: str
    detail: str  # "4 of 500 rows unexpected" or ""
    node_id: str = ""
    kind: str = ""


@dataclass(frozen=True)
class ReportView:
    project: str
    run_id: str
    target_type: str
    started_at: str
    overall: ScoreRow
    dimensions: list[ScoreRow]
    models: list[ModelRow]  # worst first; measured ones before unmeasured
    failing: list[CheckLine]  # every failing check now
    newly_failing: list[CheckLine] = field(default_factory=list)
    newly_passing: list[CheckLine] = field(default_factory=list)
    baseline_run_id: str | None = None
    added_checks: int = 0
    removed_checks: int = 0
    docs_url: str | None = None
    data_docs_index: str | None = None
    stale_checks: int = 0  # checks not run: their relation was not rebuilt by the build

    @property
    def has_baseline(self) -> bool:
        return self.baseline_run_id is not None

    @property
    def stale_models(self) -> list[ModelRow]:
        return [m for m in self.models if m.stale]

    @property
    def unchecked_models(self) -> list[ModelRow]:
        """Models with no check at all (stale ones have checks; they just did not run)."""
        return [m for m in self.models if m.score is None and not m.stale]

    @property
    def stale_text(self) -> str:
        """'2 models stale (not rebuilt by the last dbt build): their 30 checks are not scored' or ''."""
        models = self.stale_models
        if not models:
            return ""
        return (
            f"{len(models)} model{'s' if len(models) != 1 else ''} stale (not rebuilt by the dbt build"
            f" these results follow): {self.stale_checks} check{'s' if self.stale_checks != 1 else ''}"
            " not run and not scored"
        )


def _check_line(check: CheckOutcome) -> CheckLine:
    """The detail says what is wrong in the check's own terms: rows for a row-level check, the lag for
    freshness, the reason for a stale or errored check; plus the threshold that made it a warning."""
    detail = ""
    message = check.message or ""
    if check.status == "error":
        detail = f"could not run: {message}" if message else "could not run"
    elif check.stale or check.kind in ("freshness", "recency"):
        detail = message
    elif (
        not check.passing
        and check.level == "row"
        and check.unexpected_count is not None
        and check.element_count
    ):
        detail = f"{check.unexpected_count} of {check.element_count} rows unexpected"
        why = message.split("; ", 1)[1] if "; " in message else ""
        detail += f" ({why})" if why else ""
    elif not check.passing:
        detail = message
    return CheckLine(
        check.check_id,
        check.label,
        check.dimension,
        check.severity,
        check.status,
        detail,
        check.node_id,
        check.kind,
    )


_STATUS_ORDER = {"error": 0, "fail": 1, "stale": 2, "warn": 3}


def _failing_order(check: CheckOutcome) -> tuple[int, int, float, str]:
    """Worst first: could not run, then failed, then warned; error severity first; lowest score first."""
    return (
        _STATUS_ORDER.get(check.status, 3),
        0 if check.severity == "error" else 1,
        check.score,
        check.label,
    )


def _row(
    key: str,
    label: str,
    score: float | None,
    checks: int,
    failing: int,
    coverage: Coverage,
    delta: float | None,
    has_baseline: bool,
) -> ScoreRow:
    color, hex_ = grade(score)
    arrow, signed = delta_text(delta) if has_baseline else ("", "")
    if has_baseline and delta is None:
        arrow, signed = "", "new" if score is not None else ""
    return ScoreRow(
        key, label, score, score_text(score), color, hex_, checks, failing, coverage, arrow, signed
    )


def build_view(
    report: ScoreReport, comparison: Comparison | None = None, docs_url: str | None = None
) -> ReportView:
    has_baseline = comparison is not None
    overall = _row(
        "overall",
        "overall",
        report.overall,
        len(report.checks) - len(report.stale),
        len(report.failing),
        report.coverage,
        comparison.overall_delta if comparison else None,
        has_baseline,
    )
    dimensions = [
        _row(
            name,
            name,
            dim.score,
            dim.checks,
            dim.failing,
            dim.coverage,
            comparison.dimension_deltas.get(name) if comparison else None,
            has_baseline,
        )
        for name, dim in report.dimensions.items()
    ]
    models = []
    for model in report.models:
        arrow, signed = delta_text(comparison.model_deltas.get(model.node_id)) if comparison else ("", "")
        models.append(
            ModelRow(
                node_id=model.node_id,
                name=model.name,
                score=model.score,
                score_text=score_text(model.score),
                color_hex=grade(model.score)[1],
                checks=model.checks,
                failing=model.failing,
                columns_text=share_text(model.columns_covered, model.columns_total),
                arrow=arrow,
                delta_text=signed,
                dimensions={d: (score_text(v), grade(v)[1]) for d, v in model.dimensions.items()},
                stale=model.stale,
            )
        )
    return ReportView(
        project=report.project,
        run_id=report.run_id,
        target_type=report.target_type,
        started_at=report.started_at,
        overall=overall,
        dimensions=dimensions,
        models=models,
        failing=[_check_line(c) for c in sorted(report.failing, key=_failing_order)],
        newly_failing=[_check_line(c) for c in comparison.newly_failing] if comparison else [],
        newly_passing=[_check_line(c) for c in comparison.newly_passing] if comparison else [],
        baseline_run_id=comparison.baseline_run_id if comparison else None,
        added_checks=comparison.added_checks if comparison else 0,
        removed_checks=comparison.removed_checks if comparison else 0,
        docs_url=docs_url,
        data_docs_index=report.data_docs_index,
        stale_checks=len(report.stale),
    )
