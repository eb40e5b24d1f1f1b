"""Quarantine a run: a `DeadLetterQueue` entry, and the execution FAILED."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from custom.sql import q

PERMANENT = "permanent_error"
EXHAUSTED = "attempts_exhausted"
LEASE_EXPIRED = "lease_expired"


async def quarantine(conn: asyncpg.Connection, run: asyncpg.Record | dict[str, Any],
                     reason: str, error: dict[str, Any] | None) -> uuid.UUID:
    """Park `run` (already DEAD_LETTERED) and fail its execution, in the caller's transaction."""
    dead_letter_id = await conn.fetchval(
        q("dead_letter_insert"), run["id"], run["execution_id"], run["step_key"], reason,
        error, run["attempt"], run["inputs"], run["config"],
    )
    await conn.execute(q("execution_fail"), run["execution_id"], {
        "message": f"step {run['step_key']!r} was dead-lettered ({reason})",
        "stepKey": run["step_key"], "deadLetterId": str(dead_letter_id), "cause": error,
    })
    return dead_letter_id
