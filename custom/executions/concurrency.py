"""Concurrency limits: at most `limit` executions of a workflow with the same key value
RUNNING (or PAUSED) at once; the others wait PENDING, in arrival order.

Every decision about one (workflow, key) is taken under a transaction-scoped advisory
lock (custom/sql/concurrency.sql), so processes sharing the database never admit more
than the limit. A submission runs at once only when a slot is free and nobody waits
(no overtaking); an execution leaving RUNNING/PAUSED admits the next ones in its own
transaction (custom.executions.advance.release_slot), and the reaper sweeps for
waiting executions nobody admitted (a limit raised by a new version, a requeued
execution taking its slot back). docs/architecture.md has the life of an execution.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import asyncpg

from custom.sql import q
from custom.workflows.references import InputReferenceError, resolve_inputs


class ConcurrencyKeyError(ValueError):
    """The execution's inputs do not give the workflow's concurrency key."""


def concurrency_key(limit: dict[str, Any], inputs: dict[str, Any]) -> str:
    """The key value of an execution: the template resolved against its inputs (a
    string as it is, any other JSON value in its canonical form)."""
    try:
        value = resolve_inputs(limit["key"], inputs, {})
    except InputReferenceError as exc:
        raise ConcurrencyKeyError(f"the workflow's concurrency key {exc}") from None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


async def may_run_now(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    key: str,
    limit: int,
    now: datetime.datetime | None = None,
) -> bool:
    """Lock (workflow, key) for the transaction and say whether a new execution takes a
    slot now: one is free and no earlier execution waits for it (`now`: the clock,
    None for the database's)."""
    await conn.execute(q("concurrency_lock"), workflow_id, key)
    slots = await conn.fetchrow(q("concurrency_slots"), workflow_id, key, now)
    return slots["waiting"] == 0 and slots["active"] < limit


async def admit_waiting(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    key: str,
    limit: int,
    now: datetime.datetime | None = None,
) -> list[asyncpg.Record]:
    """Move the oldest waiting executions into the free slots (RUNNING); the caller
    creates their first runs in the same transaction."""
    await conn.execute(q("concurrency_lock"), workflow_id, key)
    return await conn.fetch(q("concurrency_admit"), workflow_id, key, limit, now)
