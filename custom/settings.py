"""Settings from the environment, with the defaults the README's settings table lists."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from custom.auth.runner_ids import in_process_runner_id


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _runner_id(raw: str | None) -> str | None:
    # the service's own runners live where no API key can act (`@…`)
    return in_process_runner_id(raw) if raw else None


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(".data")
    host: str = "127.0.0.1"
    port: int = 8080
    migrate: bool = True
    runners: int = 8
    claim_batch: int = 64
    lease_seconds: float = 120.0
    heartbeat_seconds: float = 2.0
    reaper_interval_seconds: float = 2.0
    retention_days: float = 30.0
    retention_interval_seconds: float = 60.0
    poll_seconds: float = 1.0
    notify_cooldown_seconds: float = 0.005
    shutdown_grace_seconds: float = 10.0
    max_body_bytes: int = 1_048_576
    http_max_header_bytes: int = 32_768
    http_max_headers: int = 100
    http_request_timeout_seconds: float = 30.0
    http_max_connections: int = 1000
    db_pool_size: int = 10
    runner_id: str | None = None
    bootstrap_key: str | None = field(default=None, repr=False)
    console_dir: Path | None = None  # the console's build; None: ui/dist of this checkout

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": os.environ.get("DATABASE_URL") or None,
            "data_dir": Path(os.environ.get("VALKYR_DATA_DIR", ".data")),
            "host": os.environ.get("HOST", "127.0.0.1"),
            "port": _int("PORT", 8080),
            "runners": _int("VALKYR_RUNNERS", 8),
            "claim_batch": _int("VALKYR_CLAIM_BATCH", 64),
            "lease_seconds": _float("VALKYR_LEASE_SECONDS", 120.0),
            "heartbeat_seconds": _float("VALKYR_HEARTBEAT_SECONDS", 2.0),
            "reaper_interval_seconds": _float("VALKYR_REAPER_INTERVAL_SECONDS", 2.0),
            "retention_days": _float("VALKYR_RETENTION_DAYS", 30.0),
            "retention_interval_seconds": _float("VALKYR_RETENTION_INTERVAL_SECONDS", 60.0),
            "poll_seconds": _float("VALKYR_POLL_SECONDS", 1.0),
            "notify_cooldown_seconds": _float("VALKYR_NOTIFY_COOLDOWN_SECONDS", 0.005),
            "shutdown_grace_seconds": _float("VALKYR_SHUTDOWN_GRACE_SECONDS", 10.0),
            "max_body_bytes": _int("VALKYR_MAX_BODY_BYTES", 1_048_576),
            "http_max_header_bytes": _int("VALKYR_HTTP_MAX_HEADER_BYTES", 32_768),
            "http_max_headers": _int("VALKYR_HTTP_MAX_HEADERS", 100),
            "http_request_timeout_seconds": _float("VALKYR_HTTP_REQUEST_TIMEOUT_SECONDS", 30.0),
            "http_max_connections": _int("VALKYR_HTTP_MAX_CONNECTIONS", 1000),
            "db_pool_size": _int("VALKYR_DB_POOL_SIZE", 10),
            "runner_id": _runner_id(os.environ.get("VALKYR_RUNNER_ID")),
            "bootstrap_key": os.environ.get("VALKYR_BOOTSTRAP_KEY") or None,
            "console_dir": Path(os.environ["VALKYR_CONSOLE_DIR"])
            if os.environ.get("VALKYR_CONSOLE_DIR")
            else None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
