"""Readers of dbt's files: project, profiles, and the target/ artifacts."""
