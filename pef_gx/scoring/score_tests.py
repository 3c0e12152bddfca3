"""Quality-score tests: a model's (or the project's) score, overall or in one dimension, against a minimum.

Pure: judged from the run's own check results, with the same formula as `pef-gx score`. The tests'
own results (and the performance tests') are never part of the score they test (compute.scored_checks).
A score that cannot be trusted never passes: checks of the scored part that are stale (their relation
was not rebuilt) make the test stale too, like every other check of a relation dbt did not rebuild; checks
that could not run make it an error; a dimension (or model) with no checks at all is "not measured", also
an error, with the reason.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pef_gx.results.model import CheckResult
from pef_gx.scoring.compute import scored_checks
from pef_gx.scoring.formula import ScoringConfig, dimension_score, overall_score

UNTRUSTED = ("stale",)  # statuses that say the check did not measure this build's data


@dataclass(frozen=True)
class ScoreVerdict:
    status: str  # pass | warn | fail | error | stale
    score: float | None
    message: str


def _scope(checks: Iterable[CheckResult], dimension: str) -> list[CheckResult]:
    return [c for c in checks if dimension == "overall" or c.dimension == dimension]


def score_of(checks: Sequence[CheckResult], dimension: str, config: ScoringConfig) -> float | None:
    if dimension != "overall":
        return dimension_score(_scope(checks, dimension), config)
    grouped: dict[str, list[CheckResult]] = defaultdict(list)
    for check in checks:
        grouped[check.dimension].append(check)
    return overall_score({d: dimension_score(cs, config) for d, cs in grouped.items()}, config)


def judge_score(
    checks: Sequence[CheckResult],
    dimension: str,
    minimum: float,
    severity: str,
    what: str,
    config: ScoringConfig | None = None,
) -> ScoreVerdict:
    """`checks`: every check result of the scored thing (a model's, or the whole run's)."""
    config = config or ScoringConfig()
    scored = scored_checks(checks)
    label = f"{what} {dimension} score"
    stale = [c for c in _scope(scored, dimension) if c.status in UNTRUSTED]
    if len({(c.node_id, c.message) for c in stale}) == 1 and stale[0].message:
        # one model not rebuilt: the test is stale for the same reason as the model's other checks
        return ScoreVerdict("stale", None, str(stale[0].message))
    if stale:
        return ScoreVerdict(
            "stale",
            None,
            f"{label} cannot be judged: {len(stale)} check(s) are stale (their relation was not rebuilt "
            f"in this build), e.g. {stale[0].kind} on {stale[0].node_name}; minimum {minimum:g}",
        )
    in_scope = _scope(scored, dimension)
    if in_scope and all(c.status == "error" for c in in_scope):
        return ScoreVerdict(
            "error",
            None,
            f"{label} cannot be judged: none of its {len(in_scope)} check(s) could run "
            f"({(in_scope[0].message or 'no reason given')[:160]}); minimum {minimum:g}",
        )
    score = score_of(scored, dimension, config)
    if score is None:
        return ScoreVerdict(
            "error",
            None,
            f"{label} is not measured (no {'' if dimension == 'overall' else dimension + ' '}checks ran); minimum {minimum:g}",
        )
    failing = sum(1 for c in in_scope if c.status != "pass")
    errors = sum(1 for c in in_scope if c.status == "error")
    detail = f"{len(in_scope)} checks, {failing} not passing" + (
        f", {errors} could not run" if errors else ""
    )
    shown = f"{math.floor(score * 100) / 100:g}"  # never rounded up to the minimum (or to 100)
    if score + 1e-9 < minimum:
        status = "fail" if severity == "error" else "warn"
        return ScoreVerdict(status, score, f"{label} {shown} is below the minimum {minimum:g} ({detail})")
    return ScoreVerdict("pass", score, f"{label} {shown} meets the minimum {minimum:g} ({detail})")
