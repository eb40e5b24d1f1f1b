"""Quarantine a run: a `DeadLetterQueue` entry, and the execution FAILED.

A run of an execution that is over (CANCELLED, COMPLETED) is not quarantined: there
is nothing to requeue it into (the reaper may dead-letter a cancelled run whose
runner died before it could stop).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.observability.tracing import add_event
from custom.sql import q
from generated.constants import DeadLetterReason, ExecutionStatus

PERMANENT = DeadLetterReason.PERMANENT_ERROR
EXHAUSTED = DeadLetterReason.ATTEMPTS_EXHAUSTED
LEASE_EXPIRED = DeadLetterReason.LEASE_EXPIRED


@dataclass(frozen=True)
class Quarantined:
    dead_letter_id: uuid.UUID | None
    # the execution this failed, when it left RUNNING/PAUSED now: its concurrency slot
    # is free (custom.executions.advance.release_slot admits the next one)
    freed: asyncpg.Record | None = None


async def quarantine(
    conn: asyncpg.Connection,
    run: asyncpg.Record | dict[str, Any],
    reason: str,
    error: dict[str, Any] | None,
) -> Quarantined:
    """Park `run` (already DEAD_LETTERED) and fail its execution, in the caller's transaction."""
    status = await conn.fetchval(q("execution_status"), run["execution_id"])
    if status in (ExecutionStatus.CANCELLED, ExecutionStatus.COMPLETED):
        return Quarantined(None)
    dead_letter_id = await conn.fetchval(
        q("dead_letter_insert"),
        run["id"],
        run["execution_id"],
        run["step_key"],
        reason,
        error,
        run["attempt"],
        run["inputs"],
        run["config"],
    )
    add_event(
        "dead_lettered",
        {
            "run.id": str(run["id"]),
            "step.key": run["step_key"],
            "reason": reason,
            "dead_letter.id": str(dead_letter_id),
        },
    )
    freed = await conn.fetchrow(
        q("execution_fail"),
        run["execution_id"],
        {
            "message": f"step {run['step_key']!r} was dead-lettered ({reason})",
            "stepKey": run["step_key"],
            "deadLetterId": str(dead_letter_id),
            "cause": error,
        },
    )
    return Quarantined(dead_letter_id, freed)
