"""What the runner reports as it works: metrics and trace events.

Kept apart so the runner's loop reads as scheduling, not instrumentation.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from custom.observability import tracing
from custom.observability.logging import log_context
from custom.observability.metrics import EngineMetrics
from custom.sql import q

log = logging.getLogger(__name__)


def _ns(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000_000)


@asynccontextmanager
async def run_trace(pool: asyncpg.Pool, run: Any) -> AsyncIterator[None]:
    """Continue the execution's trace: a `dispatch` span (ready → claimed), then a span
    for the run itself that is current while it executes and reports. Free when
    tracing is off (no query, no span)."""
    if not tracing.enabled():
        yield
        return
    try:
        carrier = await pool.fetchval(q("execution_trace_context"), run["execution_id"])
    except Exception as exc:  # the run goes on; its span starts a trace of its own
        log.warning("trace context of execution %s unavailable: %r", run["execution_id"], exc)
        carrier = None
    attributes = {
        "run.id": str(run["id"]),
        "execution.id": str(run["execution_id"]),
        "step.key": run["step_key"],
        "run.attempt": run["attempt"],
        "run.module": run["module"],
    }
    with tracing.run_span(f"run {run['step_key']}", carrier, attributes) as span:
        dispatch = tracing.tracer().start_span(
            "dispatch", start_time=_ns(run["available_at"]), attributes=attributes
        )
        dispatch.end(end_time=_ns(run["claimed_at"]))
        with log_context(execution_id=str(run["execution_id"]), run_id=str(run["id"])):
            yield
        span.set_attribute("run.lease_token", run["lease_token"])


def dispatched(metrics: EngineMetrics, run: Any) -> None:
    if run["claimed_at"] and run["available_at"]:
        latency = (run["claimed_at"] - run["available_at"]).total_seconds()
        metrics.observe_dispatch(max(latency, 0.0))


def finished(metrics: EngineMetrics, run: Any, status: str, started: datetime.datetime) -> None:
    seconds = (datetime.datetime.now(datetime.UTC) - started).total_seconds()
    metrics.observe_run(run["module"], status, seconds)


def lease_lost() -> None:
    tracing.add_event("lease_lost")


def heartbeat_failed(metrics: EngineMetrics) -> None:
    metrics.count_heartbeat_failed(1)
