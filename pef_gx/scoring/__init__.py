"""Per-dimension quality scores: pure functions over results.

Public API: score_run (ValidationRun -> ScoreReport), compare (ScoreReport vs baseline -> Comparison),
check_score, ScoringConfig, ScoreReport.from_dict (read a scores JSON / baseline).
"""

from pef_gx.scoring.compare import BaselineError, Comparison, compare
from pef_gx.scoring.compute import score_run
from pef_gx.scoring.formula import ScoringConfig, check_score
from pef_gx.scoring.model import CheckOutcome, Coverage, DimensionScore, ModelScore, ScoreReport

__all__ = [
    "BaselineError",
    "CheckOutcome",
    "Comparison",
    "Coverage",
    "DimensionScore",
    "ModelScore",
    "ScoreReport",
    "ScoringConfig",
    "check_score",
    "compare",
    "score_run",
]
