"""Typed errors. The CLI's one error boundary turns each into one line and exit code 2.

Every error says what is wrong and, in `hint`, how to fix it. Library code raises these and never exits.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class PefGxError(Exception):
    """Bad input or configuration: the user can fix it. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(PefGxError):
    """A project file, profile or option is wrong."""


class ProjectNotFound(ConfigError):
    """The dbt project directory or dbt_project.yml is missing."""


class ArtifactError(PefGxError):
    """A dbt artifact (manifest, run_results, catalog) is missing, corrupt or of an unsupported version."""


class StaleManifestError(ArtifactError):
    """`generate --check` on a manifest older than the project files: the check would judge old input.

    Exit 1, like any other out-of-date verdict of --check."""

    exit_code = 1


class SelectionError(PefGxError):
    """A --select names nothing that exists."""


class DatabaseError(PefGxError):
    """The warehouse cannot be reached or refused the connection."""


class DbtError(PefGxError):
    """dbt itself could not run (not a failing model or test: those are results)."""


class SuiteError(PefGxError):
    """An expectation suite file is unreadable or names something unknown."""


class OutputError(PefGxError):
    """An output file or folder cannot be written."""


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean ...?' hint for a misspelt name, or None when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
