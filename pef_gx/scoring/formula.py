"""The scoring formula, as small pure functions over check results.

- A check's score is in [0, 1]:
  * status `error` (the check could not run): 0;
  * row-level check with usable counts: 1 - unexpected / evaluated (clamped to [0, 1]);
  * otherwise (table-level, or row-level without counts): 1 when it passed, else 0.
  A row-level check that did not pass but reports no unexpected rows scores 0 (something else failed,
  e.g. a `mostly` threshold), so a check that starts failing never scores higher than before.
- Every check has a weight: its severity's weight (error 2, warn 1 by default).
- A dimension's score is the weighted mean of its checks' scores, times 100; a dimension with no checks
  is "not measured" (None), never 100.
- The overall score is the weighted mean of the measured dimensions' scores (every dimension weighs 1 by
  default); None when nothing is measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks.spec import DIMENSIONS
from pef_gx.errors import ConfigError, did_you_mean
from pef_gx.results.model import CheckResult

DEFAULT_SEVERITY_WEIGHTS: Mapping[str, float] = {"error": 2.0, "warn": 1.0}
PASSING = frozenset({"pass"})


@dataclass(frozen=True)
class ScoringConfig:
    """Weights of the formula. Defaults: error 2, warn 1; every dimension 1."""

    severity_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_WEIGHTS))
    dimension_weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 1.0))

    def severity_weight(self, severity: str) -> float:
        return float(self.severity_weights.get(severity, self.severity_weights.get("error", 2.0)))

    def dimension_weight(self, dimension: str) -> float:
        return float(self.dimension_weights.get(dimension, 1.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity_weights": dict(sorted(self.severity_weights.items())),
            "dimension_weights": dict(sorted(self.dimension_weights.items())),
        }

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> ScoringConfig:
        """Read the `scoring:` section of pef-gx.yml (`severity_weights`, `dimension_weights`)."""
        known = {"severity_weights", "dimension_weights"}
        for key in section:
            if key not in known:
                hint = did_you_mean(str(key), known) or f"known keys: {', '.join(sorted(known))}"
                raise ConfigError(f"unknown key 'scoring.{key}' in pef-gx.yml", hint)
        severity = dict(DEFAULT_SEVERITY_WEIGHTS)
        severity.update(_weights(section.get("severity_weights"), ("error", "warn"), "severity_weights"))
        dimensions = dict.fromkeys(DIMENSIONS, 1.0)
        dimensions.update(_weights(section.get("dimension_weights"), DIMENSIONS, "dimension_weights"))
        return cls(severity_weights=severity, dimension_weights=dimensions)


def _weights(value: Any, names: Iterable[str], key: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'scoring.{key}' in pef-gx.yml must be a mapping", f"e.g. {key}: {{error: 2}}")
    names = tuple(names)
    out: dict[str, float] = {}
    for name, weight in value.items():
        if name not in names:
            hint = did_you_mean(str(name), names) or f"known: {', '.join(names)}"
            raise ConfigError(f"unknown name '{name}' in 'scoring.{key}' of pef-gx.yml", hint)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise ConfigError(f"'scoring.{key}.{name}' must be a number > 0, not {weight!r}")
        out[str(name)] = float(weight)
    return out


def check_score(check: CheckResult) -> float:
    """The score of one check in [0, 1] (see the module docstring)."""
    passed = check.status in PASSING
    if check.status == "error":
        return 0.0
    if check.level == "row":
        evaluated = check.element_count
        unexpected = check.unexpected_count
        if evaluated and evaluated > 0 and unexpected is not None and (passed or unexpected > 0):
            share = min(max(unexpected / evaluated, 0.0), 1.0)
            return 1.0 - share
    return 1.0 if passed else 0.0


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs; None when there is nothing to average."""
    total = 0.0
    weights = 0.0
    for value, weight in pairs:
        total += value * weight
        weights += weight
    if weights <= 0:
        return None
    return min(max(total / weights, 0.0), 1.0)


def dimension_score(checks: Iterable[CheckResult], config: ScoringConfig) -> float | None:
    """0..100, or None ("not measured") when there are no checks."""
    mean = weighted_mean((check_score(c), config.severity_weight(c.severity)) for c in checks)
    return None if mean is None else mean * 100.0


def overall_score(dimension_scores: Mapping[str, float | None], config: ScoringConfig) -> float | None:
    """Weighted mean of the measured dimensions; None when no dimension is measured."""
    mean = weighted_mean(
        (score / 100.0, config.dimension_weight(dim))
        for dim, score in dimension_scores.items()
        if score is not None
    )
    return None if mean is None else mean * 100.0
