"""Normalised validation results and the run history store."""
