"""The observability sections of pef-gx.yml: `history:`, `health:`, `anomalies:`, `alerts:`.

Every key has a default, so an empty project file works. Unknown keys are errors with a "did you mean".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from pef_gx.errors import ConfigError, did_you_mean
from pef_gx.settings import Settings

SENSITIVITY = {"low": 5.0, "medium": 3.5, "high": 2.5}  # robust z (MAD units) an anomaly must exceed


def _build(cls: type, section: str, raw: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in known:
            hint = did_you_mean(name, known) or f"known keys: {', '.join(sorted(known))}"
            raise ConfigError(f"unknown key '{key}' in section '{section}:' of pef-gx.yml", hint)
        values[name] = value
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"section '{section}:' of pef-gx.yml: {exc}", "see README, 'pef-gx health'"
        ) from None


def _number(value: Any, name: str, minimum: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return number


@dataclass(frozen=True)
class HistoryConfig:
    backend: str = "sqlite"  # sqlite | postgres
    path: str | None = None  # sqlite file; default <root>/.pef-gx/history.sqlite
    schema: str = "pef_gx_history"  # postgres schema
    dsn_env: str | None = None  # env var with a libpq DSN; default: the dbt target's connection
    retention_days: float | None = 90  # runs older than this are deleted (None: keep)
    max_runs: int | None = None  # keep at most this many runs (None: no limit)
    busy_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.backend not in ("sqlite", "postgres"):
            hint = did_you_mean(self.backend, ("sqlite", "postgres")) or "use sqlite or postgres"
            raise ValueError(f"backend '{self.backend}' is unknown ({hint})")
        if self.retention_days is not None:
            _number(self.retention_days, "retention_days", 0.0)
        if self.max_runs is not None and int(self.max_runs) < 1:
            raise ValueError("max_runs must be at least 1")


@dataclass(frozen=True)
class HealthConfig:
    window: int = 20  # runs looked at for rates, baselines and flapping
    regression_ratio: float = 1.5  # latest time / rolling median above which a model is 'slower'
    regression_min_seconds: float = 1.0  # ... and by at least this many seconds (noise is not news)
    slowest: int = 10
    flapping_min_flips: int = 2
    view_children_hint: int = 3  # a view read by at least this many children ...
    view_children_seconds: float = 5.0  # ... whose children take this long in total: materialise it
    large_table_rows: int = 1_000_000  # a table this big rebuilt in full every run: make it incremental
    large_table_seconds: float = 30.0  # ... or one that takes this long

    def __post_init__(self) -> None:
        for f in fields(self):
            _number(getattr(self, f.name), f.name, 0.0)


@dataclass(frozen=True)
class AnomalyConfig:
    sensitivity: str = "medium"  # low | medium | high
    window: int = 60  # past values of the current level in the baseline (weekly season: >= 21)
    min_history: int = 7  # no verdict before this many past values (a week of daily runs)
    min_abs_rows: float = 10  # a volume change smaller than this is never an anomaly
    min_rel_change: float = 0.1  # ... nor one smaller than this share of the baseline
    min_abs_lag_hours: float = 6.0  # a freshness lag change smaller than this is never an anomaly
    stale_after_hours: float | None = None  # absolute rule: lag beyond this is stale, whatever the history

    def __post_init__(self) -> None:
        if self.sensitivity not in SENSITIVITY:
            hint = did_you_mean(str(self.sensitivity), SENSITIVITY) or "use low, medium or high"
            raise ValueError(f"sensitivity '{self.sensitivity}' is unknown ({hint})")

    @property
    def threshold(self) -> float:
        return SENSITIVITY[self.sensitivity]


ALERT_CONDITIONS = (
    "model_failure",
    "check_failure",
    "score_drop",
    "perf_regression",
    "stale_data",
    "volume_anomaly",
)
CHANNEL_TYPES = ("console", "json_file", "webhook", "slack")


@dataclass(frozen=True)
class ChannelConfig:
    type: str
    name: str = ""
    path: str | None = None  # json_file
    url: str | None = None  # webhook / slack
    url_env: str | None = None  # ... or the env var holding it (secrets stay in the environment)
    timeout_s: float = 5.0
    owners: tuple[str, ...] = ()  # only alerts whose dbt meta.owner is one of these ('' = no owner)

    def __post_init__(self) -> None:
        if self.type not in CHANNEL_TYPES:
            hint = did_you_mean(self.type, CHANNEL_TYPES) or f"use one of {', '.join(CHANNEL_TYPES)}"
            raise ValueError(f"channel type '{self.type}' is unknown ({hint})")
        if self.type in ("webhook", "slack") and not (self.url or self.url_env):
            raise ValueError(f"a {self.type} channel needs url: or url_env:")
        if self.type == "json_file" and not self.path:
            raise ValueError("a json_file channel needs path:")
        object.__setattr__(self, "owners", tuple(str(o) for o in (self.owners or ())))
        if not self.name:
            object.__setattr__(self, "name", self.type)


@dataclass(frozen=True)
class AlertConfig:
    conditions: tuple[str, ...] = ALERT_CONDITIONS
    score_drop_points: float = 5.0
    channels: tuple[ChannelConfig, ...] = field(default_factory=lambda: (ChannelConfig("console"),))

    def __post_init__(self) -> None:
        for name in self.conditions:
            if name not in ALERT_CONDITIONS:
                hint = did_you_mean(name, ALERT_CONDITIONS) or f"use {', '.join(ALERT_CONDITIONS)}"
                raise ValueError(f"alert condition '{name}' is unknown ({hint})")
        object.__setattr__(self, "conditions", tuple(self.conditions))
        _number(self.score_drop_points, "score_drop_points")


@dataclass(frozen=True)
class ObservabilityConfig:
    history: HistoryConfig
    health: HealthConfig
    anomalies: AnomalyConfig
    alerts: AlertConfig
    alerts_configured: bool  # an `alerts:` section exists: send alerts after each recorded run


def load_config(settings: Settings) -> ObservabilityConfig:
    alerts_raw = dict(settings.section("alerts"))
    channels_raw = alerts_raw.pop("channels", None)
    alerts = _build(AlertConfig, "alerts", alerts_raw)
    if channels_raw is not None:
        if not isinstance(channels_raw, list):
            raise ConfigError("alerts: channels: must be a list", "e.g. channels: [{type: console}]")
        channels = []
        for item in channels_raw:
            if not isinstance(item, Mapping):
                raise ConfigError("each entry of alerts: channels: must be a mapping", "e.g. {type: console}")
            channels.append(_build(ChannelConfig, "alerts: channels", item))
        alerts = AlertConfig(alerts.conditions, alerts.score_drop_points, tuple(channels))
    return ObservabilityConfig(
        history=_build(HistoryConfig, "history", settings.section("history")),
        health=_build(HealthConfig, "health", settings.section("health")),
        anomalies=_build(AnomalyConfig, "anomalies", settings.section("anomalies")),
        alerts=alerts,
        alerts_configured="alerts" in settings.sections,
    )
