"""Load a dbt JSON artifact with a version gate and errors that say how to fix them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pef_gx.errors import ArtifactError

_VERSION = re.compile(r"/dbt/(?P<kind>[a-z-]+)/v(?P<version>\d+)\.json$")


def load_artifact(path: Path, kind: str, supported: range, produced_by: str) -> dict[str, Any]:
    """Parse `path` as the dbt artifact `kind` (e.g. 'manifest') of a version in `supported`.

    `produced_by` names the dbt command that writes it, for the hint.
    """
    if not path.is_file():
        also = (
            " (or pass --parse to `pef-gx generate` or `pef-gx checkpoint`)"
            if produced_by == "dbt parse"
            else ""
        )
        raise ArtifactError(f"{path} not found", f"run `{produced_by}` first{also}")
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArtifactError(
            f"{path} is not valid JSON ({exc.__class__.__name__}: {str(exc)[:80]}); it may be truncated",
            f"run `{produced_by}` again",
        ) from None
    except RecursionError:
        raise ArtifactError(
            f"{path} is nested too deeply to be a dbt {kind}", f"run `{produced_by}` again"
        ) from None
    except OSError as exc:
        raise ArtifactError(f"cannot read {path}: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ArtifactError(
            f"{path}: (top level) is not an object, so not a dbt {kind}", f"run `{produced_by}` again"
        )
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        raise ArtifactError(
            f"{path}: metadata is {'missing' if metadata is None else 'not an object'}, so not a dbt {kind}",
            f"run `{produced_by}` again",
        )
    schema = metadata.get("dbt_schema_version", "")
    match = _VERSION.search(str(schema))
    if not match or match["kind"] != kind:
        found = f"'{schema}'" if schema else "no dbt_schema_version"
        raise ArtifactError(f"{path} is not a dbt {kind} ({found})", f"run `{produced_by}` to write one")
    version = int(match["version"])
    if version not in supported:
        raise ArtifactError(
            f"{path} is a dbt {kind} v{version}; pef-gx reads v{supported.start} to v{supported.stop - 1}",
            f"run `{produced_by}` with dbt-core 1.6 to 1.11 to write a supported {kind}",
        )
    return data
