"""Per-dimension quality scores: pure functions over results."""
