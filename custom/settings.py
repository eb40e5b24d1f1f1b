"""The service's settings: one declaration of every variable, its default, type and range.

Every field is read from `VALKYR_<FIELD>` (DATABASE_URL, HOST and PORT keep their
conventional names); an empty variable counts as unset. Fields given as arguments
(`Settings(lease_seconds=5)`, `Settings.from_env(migrate=False)`) win over the
environment. A value out of its type or range is refused when the settings are
read: `Settings.from_env` raises `SettingsError`, one line per variable naming it
(`valkyr` prints that and exits 2, no traceback). README.md's settings table lists
these fields and their defaults (tests/unit/test_settings.py holds them together).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from custom.auth.runner_ids import in_process_runner_id

ENV_PREFIX = "VALKYR_"


class SettingsError(ValueError):
    """Settings the environment gives that the declaration refuses; one line per variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
    )

    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    data_dir: Path = Path(".data")
    host: str = Field("127.0.0.1", validation_alias="HOST", min_length=1)
    port: int = Field(8080, validation_alias="PORT", ge=0, le=65535)
    migrate: bool = True
    runners: int = Field(8, ge=0)  # per web worker: each process runs its own engine
    web_workers: int = Field(1, ge=1, le=64)  # HTTP server processes sharing the port
    claim_batch: int = Field(64, ge=1)
    # the runner that completes a step leases the next one in the same transaction
    hand_off: bool = True
    lease_seconds: float = Field(120.0, gt=0)
    heartbeat_seconds: float = Field(2.0, gt=0)
    reaper_interval_seconds: float = Field(2.0, ge=0)
    # starvation guard: a ready run rises one priority level per this many seconds (0: never)
    priority_aging_seconds: float = Field(60.0, ge=0)
    # how often the scheduler looks for due schedules and delayed starts (0: never)
    scheduler_interval_seconds: float = Field(1.0, ge=0)
    retention_days: float = Field(30.0, ge=0)
    retention_interval_seconds: float = Field(60.0, gt=0)
    poll_seconds: float = Field(1.0, gt=0)
    notify_cooldown_seconds: float = Field(0.005, ge=0)
    shutdown_grace_seconds: float = Field(10.0, ge=0)
    max_body_bytes: int = Field(1_048_576, ge=1)
    http_max_header_bytes: int = Field(32_768, ge=1)
    http_max_headers: int = Field(100, ge=1)
    http_request_timeout_seconds: float = Field(30.0, gt=0)
    http_max_connections: int = Field(1000, ge=1)
    db_pool_size: int = Field(10, ge=1)
    runner_id: str | None = None
    bootstrap_key: str | None = Field(None, repr=False)
    console_dir: Path | None = None  # the console's build; None: ui/dist of this checkout

    @field_validator("runner_id")
    @classmethod
    def _in_process_namespace(cls, raw: str | None) -> str | None:
        # the service's own runners live where no API key can act (`@…`)
        return in_process_runner_id(raw) if raw else None

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable a field is read from."""
        alias = cls.model_fields[field].validation_alias
        return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """`VALKYR_LEASE_SECONDS='-1': must be greater than 0`, one line per variable."""
    names = {f: Settings.env_name(f) for f in Settings.model_fields}
    names.update({env: env for env in names.values()})
    lines = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else ""
        message = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: no such setting")
            continue
        lines.append(f"{names.get(where, where)}={error['input']!r}: must be {message}")
    return "\n".join(lines)
