"""What the runner reports as it works: metrics and trace events.

Kept apart so the runner does not depend on how observability is wired; a
missing observability package makes these no-ops.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

log = logging.getLogger(__name__)

try:
    from custom.observability import metrics as _metrics
except ImportError:  # observability not installed in this process
    _metrics = None  # type: ignore[assignment]


def dispatched(run: Any) -> None:
    if _metrics is not None and run["claimed_at"] and run["available_at"]:
        latency = (run["claimed_at"] - run["available_at"]).total_seconds()
        _metrics.observe_dispatch(max(latency, 0.0))


def finished(run: Any, status: str, started: datetime.datetime) -> None:
    if _metrics is not None:
        seconds = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
        _metrics.observe_run(run["module"], status, seconds)


def lease_lost() -> None:
    log.warning("lease lost")


def heartbeat_failed() -> None:
    if _metrics is not None:
        _metrics.count_heartbeat_failed(1)
