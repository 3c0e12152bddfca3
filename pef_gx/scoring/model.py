"""Scores as plain data, and their JSON form (the scores file, also used as the next run's baseline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCORES_KIND = "pef-gx-scores"
SCORES_VERSION = 1


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class Coverage:
    """Share of models and of columns with at least one check (in one dimension, or any)."""

    models_covered: int
    models_total: int
    columns_covered: int
    columns_total: int

    @property
    def models_share(self) -> float | None:
        return self.models_covered / self.models_total if self.models_total else None

    @property
    def columns_share(self) -> float | None:
        return self.columns_covered / self.columns_total if self.columns_total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": {"covered": self.models_covered, "total": self.models_total},
            "columns": {"covered": self.columns_covered, "total": self.columns_total},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coverage:
        models = data.get("models") or {}
        columns = data.get("columns") or {}
        return cls(
            int(models.get("covered", 0)),
            int(models.get("total", 0)),
            int(columns.get("covered", 0)),
            int(columns.get("total", 0)),
        )


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    score: float | None  # 0..100; None = not measured (no checks)
    checks: int
    failing: int  # checks that did not pass (fail, warn or error)
    coverage: Coverage

    @property
    def measured(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": _round(self.score),
            "measured": self.measured,
            "checks": self.checks,
            "failing": self.failing,
            "coverage": self.coverage.to_dict(),
        }

    @classmethod
    def from_dict(cls, dimension: str, data: dict[str, Any]) -> DimensionScore:
        return cls(
            dimension=dimension,
            score=data.get("score"),
            checks=int(data.get("checks", 0)),
            failing=int(data.get("failing", 0)),
            coverage=Coverage.from_dict(data.get("coverage") or {}),
        )


@dataclass(frozen=True)
class ModelScore:
    node_id: str
    name: str
    score: float | None
    dimensions: dict[str, float | None]  # measured dimensions only
    checks: int
    failing: int
    columns_covered: int
    columns_total: int
    stale: str | None = None  # why its checks were not scored (dbt did not rebuild it), else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stale": self.stale,
            "node_id": self.node_id,
            "name": self.name,
            "score": _round(self.score),
            "dimensions": {k: _round(v) for k, v in sorted(self.dimensions.items())},
            "checks": self.checks,
            "failing": self.failing,
            "columns": {"covered": self.columns_covered, "total": self.columns_total},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelScore:
        columns = data.get("columns") or {}
        return cls(
            node_id=data["node_id"],
            name=data.get("name") or data["node_id"],
            score=data.get("score"),
            dimensions=dict(data.get("dimensions") or {}),
            checks=int(data.get("checks", 0)),
            failing=int(data.get("failing", 0)),
            columns_covered=int(columns.get("covered", 0)),
            columns_total=int(columns.get("total", 0)),
            stale=data.get("stale"),
        )


@dataclass(frozen=True)
class CheckOutcome:
    """One check as scored (enough to say which checks newly fail or pass against a baseline)."""

    check_id: str
    node_id: str
    node_name: str
    columns: tuple[str, ...]
    kind: str
    dimension: str
    severity: str
    status: str
    score: float  # 0..1 (stale checks are not scored)
    unexpected_count: int | None = None
    element_count: int | None = None
    level: str = "row"
    message: str | None = None

    @property
    def passing(self) -> bool:
        return self.status == "pass"

    @property
    def stale(self) -> bool:
        return self.status == "stale"

    @property
    def not_run(self) -> bool:
        """Stale (its relation was not rebuilt) or skipped (a build-time test of a model dbt skipped)."""
        return self.status in ("stale", "skipped")

    @property
    def label(self) -> str:
        where = f"{self.node_name}.{', '.join(self.columns)}" if self.columns else self.node_name
        return f"{self.kind} on {where}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "node_id": self.node_id,
            "node_name": self.node_name,
            "columns": list(self.columns),
            "kind": self.kind,
            "dimension": self.dimension,
            "severity": self.severity,
            "status": self.status,
            "score": round(self.score, 4),
            "unexpected_count": self.unexpected_count,
            "element_count": self.element_count,
            "level": self.level,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckOutcome:
        return cls(
            check_id=data["check_id"],
            node_id=data.get("node_id", ""),
            node_name=data.get("node_name", ""),
            columns=tuple(data.get("columns") or ()),
            kind=data.get("kind", ""),
            dimension=data.get("dimension", ""),
            severity=data.get("severity", "error"),
            status=data.get("status", ""),
            score=float(data.get("score", 0.0)),
            unexpected_count=data.get("unexpected_count"),
            element_count=data.get("element_count"),
            level=data.get("level") or "row",
            message=data.get("message"),
        )


@dataclass(frozen=True)
class ScoreReport:
    """Every score of one validation run."""

    project: str
    run_id: str
    target_type: str
    started_at: str
    overall: float | None
    dimensions: dict[str, DimensionScore]  # every known dimension, measured or not, in a fixed order
    models: list[ModelScore]  # worst first
    checks: list[CheckOutcome]
    coverage: Coverage  # any dimension
    weights: dict[str, Any] = field(default_factory=dict)
    universe: dict[str, Any] = field(default_factory=dict)
    data_docs_index: str | None = None

    @property
    def failing(self) -> list[CheckOutcome]:
        """Checks that ran and did not pass (stale and skipped checks did not run: see `stale`)."""
        return [c for c in self.checks if not c.passing and not c.not_run]

    @property
    def stale(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.stale]

    @property
    def stale_models(self) -> list[ModelScore]:
        return [m for m in self.models if m.stale]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": SCORES_KIND,
            "version": SCORES_VERSION,
            "project": self.project,
            "run_id": self.run_id,
            "target_type": self.target_type,
            "started_at": self.started_at,
            "overall": _round(self.overall),
            "checks_total": len(self.checks),
            "checks_failing": len(self.failing),
            "checks_stale": len(self.stale),
            "models_stale": len(self.stale_models),
            "coverage": self.coverage.to_dict(),
            "dimensions": {name: dim.to_dict() for name, dim in self.dimensions.items()},
            "models": [m.to_dict() for m in self.models],
            "checks": [c.to_dict() for c in self.checks],
            "weights": self.weights,
            "universe": self.universe,
            "data_docs_index": self.data_docs_index,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreReport:
        return cls(
            project=data["project"],
            run_id=data.get("run_id", ""),
            target_type=data.get("target_type", ""),
            started_at=data.get("started_at", ""),
            overall=data.get("overall"),
            dimensions={
                name: DimensionScore.from_dict(name, value)
                for name, value in (data.get("dimensions") or {}).items()
            },
            models=[ModelScore.from_dict(m) for m in data.get("models") or []],
            checks=[CheckOutcome.from_dict(c) for c in data.get("checks") or []],
            coverage=Coverage.from_dict(data.get("coverage") or {}),
            weights=dict(data.get("weights") or {}),
            universe=dict(data.get("universe") or {}),
            data_docs_index=data.get("data_docs_index"),
        )
