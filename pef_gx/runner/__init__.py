"""Orchestration: run dbt, then the post-run steps (checkpoint, results, history)."""
