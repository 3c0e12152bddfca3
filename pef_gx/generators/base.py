"""What every generator returns: CheckSpecs, and the checks it could not mirror (with why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pef_gx.checks.spec import CheckSpec

OWNED_KEY = "pef_gx"  # meta key of everything pef-gx writes; {"owned": true, ...} marks its YAML entries


@dataclass(frozen=True)
class NotMirrored:
    """A check that exists in one form only, and why."""

    node_id: str | None
    ref: str  # dbt test unique_id, suite/expectation, ...
    reason: str
    side: str = "dbt"  # "dbt": exists in dbt only | "gx": exists in GX only

    def to_dict(self) -> dict[str, Any]:
        return {"node_id": self.node_id, "ref": self.ref, "reason": self.reason, "side": self.side}


@dataclass
class Generated:
    specs: list[CheckSpec] = field(default_factory=list)
    not_mirrored: list[NotMirrored] = field(default_factory=list)

    def extend(self, other: Generated) -> None:
        self.specs.extend(other.specs)
        self.not_mirrored.extend(other.not_mirrored)


def is_owned(meta: Any) -> bool:
    """True for a dbt test (or YAML entry) that pef-gx wrote itself."""
    own = meta.get(OWNED_KEY) if isinstance(meta, dict) else None
    return isinstance(own, dict) and bool(own.get("owned"))
