"""Circuit-breaker outcomes, recorded where a run finishes.

The state lives in `circuit_breaker_states`, shared by every runner in every
process. Each function here is one conditional statement (breakers.sql), run in
the caller's transaction (the one that records the run's completion or
failure), so a verdict and the result it is based on commit together and
concurrent runners lose no update. Dispatch-side enforcement (parking runs
behind an OPEN breaker, admitting HALF_OPEN trials) is in the claim (run_claim).

A run is a *trial* when it was claimed after its breaker last opened: only
trials decide a HALF_OPEN breaker; late answers of calls made before the
breaker opened do not.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import asyncpg

from custom.observability.tracing import add_event
from custom.sql import q
from generated.constants import BreakerState

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 2000


def _claimed_at(run: Any) -> datetime.datetime | None:
    return run["claimed_at"]


def _message(error: Any) -> str | None:
    if isinstance(error, dict):
        text = error.get("message")
        text = str(text) if text is not None else str(error)
    elif error is None:
        return None
    else:
        text = str(error)
    return text[:MAX_ERROR_CHARS]


async def unpark(conn: asyncpg.Connection, key: str) -> int:
    """Runs parked behind `key` become ready now (the breaker closed); wakes runners."""
    rows = await conn.fetch(q("breaker_unpark"), key)
    if rows:
        await conn.execute(q("runs_notify"))
    return len(rows)


async def record_success(conn: asyncpg.Connection, run: Any) -> None:
    """A run behind a breaker succeeded (no-op for runs without a breaker)."""
    key = run["breaker_key"]
    if not key:
        return
    row = await conn.fetchrow(q("breaker_success"), key, _claimed_at(run))
    if row is not None and row["was"] == BreakerState.HALF_OPEN:
        parked = await unpark(conn, key)
        _event("closed", key, run, parked=parked)


async def record_failure(conn: asyncpg.Connection, run: Any, error: Any) -> None:
    """A run behind a breaker failed (transient, permanent or timed out)."""
    key = run["breaker_key"]
    if not key:
        return
    row = await conn.fetchrow(q("breaker_failure"), key, _message(error), _claimed_at(run))
    if row is not None and row["opened"]:
        _event("opened", key, run, failures=row["failure_count"])


async def release_trial(conn: asyncpg.Connection, run: Any) -> None:
    """A run ended without telling anything about its dependency (cancelled)."""
    key = run["breaker_key"]
    if key:
        await conn.execute(q("breaker_release_trial"), key, _claimed_at(run))


def _event(what: str, key: str, run: Any, **fields: Any) -> None:
    log.warning(
        "circuit breaker %r %s (run %s)",
        key,
        what,
        run["id"],
        extra={
            "breaker": key,
            "run_id": str(run["id"]),
            "execution_id": str(run["execution_id"]),
            **fields,
        },
    )
    add_event(f"breaker {what}", {"breaker.key": key, "run.id": str(run["id"])})
