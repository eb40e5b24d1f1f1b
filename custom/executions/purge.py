"""Deleting finished executions with everything that belongs to them (retention).

Three doors, one way through: the reaper's retention pass (VALKYR_RETENTION_DAYS),
`valkyr purge --before DATE`, and DELETE /WorkflowExecution/{id}. An execution
goes with its runs, its dead letters and their audit, and its control audit.

- Only finished executions (COMPLETED, FAILED, CANCELLED) go. One whose dead
  letter still waits for a decision (QUARANTINED), or whose run is still leased
  (cancelled, its runner not stopped yet), stays.
- A purge works in small batches, one short transaction each: a window of the
  status index is read, the deletable executions in it locked with SKIP LOCKED
  (never waiting on anyone), deleted, counted, committed; then a pause as long as
  the batch took, so the engine's own statements keep most of the database.
- Every deletion is counted in engine_counters (`valkyr_purged_total{kind}`).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
import uuid
from dataclasses import dataclass, fields

import asyncpg

from custom.sql import q
from generated.constants import ExecutionStatus

log = logging.getLogger(__name__)

FINISHED = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)
BATCH = 200  # executions per transaction (a two-step execution: ~600 rows deleted)
START = (datetime.datetime(1, 1, 1, tzinfo=datetime.UTC), uuid.UUID(int=0))


@dataclass
class Purged:
    executions: int = 0
    runs: int = 0
    dead_letters: int = 0
    audit: int = 0

    def __iadd__(self, other: Purged) -> Purged:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def __str__(self) -> str:
        return ", ".join(
            f"{getattr(self, f.name)} {f.name.replace('_', ' ')}" for f in fields(self)
        )


class NotDeletable(Exception):
    """The execution exists but may not be deleted now (409)."""


async def _delete(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> Purged:
    if not ids:
        return Purged()
    row = await conn.fetchrow(q("executions_purge"), ids)
    assert row is not None
    return Purged(row["executions"], row["runs"], row["dead_letters"], row["audit"])


async def purge_batch(
    pool: asyncpg.Pool,
    status: str,
    before: datetime.datetime,
    cursor: tuple[datetime.datetime, uuid.UUID],
    batch: int = BATCH,
) -> tuple[Purged, tuple[datetime.datetime, uuid.UUID] | None]:
    """One transaction: the next `batch` executions of `status` that may go, deleted.
    Returns what went and the next cursor (None: nothing left of this status)."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            q("executions_purge_window"), status, before, cursor[0], cursor[1], batch
        )
        purged = await _delete(conn, [r["id"] for r in rows])
    if len(rows) < batch:
        return purged, None
    return purged, (rows[-1]["created_at"], rows[-1]["id"])


async def purge_finished_before(
    pool: asyncpg.Pool,
    before: datetime.datetime,
    *,
    batch: int = BATCH,
    pause_ratio: float = 1.0,
) -> Purged:
    """Every finished execution that finished before `before` and may go, batch by
    batch; after each batch a pause of `pause_ratio` times the time it took."""
    total = Purged()
    for status in FINISHED:
        cursor: tuple[datetime.datetime, uuid.UUID] | None = START
        while cursor is not None:
            started = time.monotonic()
            purged, cursor = await purge_batch(pool, status, before, cursor, batch)
            total += purged
            if pause_ratio > 0 and cursor is not None:
                await asyncio.sleep((time.monotonic() - started) * pause_ratio)
    return total


async def delete_execution(conn: asyncpg.Connection, execution_id: uuid.UUID) -> Purged | None:
    """Delete one finished execution now; None when there is no such execution,
    NotDeletable when it is not finished or still in use."""
    async with conn.transaction():
        execution = await conn.fetchrow(q("execution_lock"), execution_id)
        if execution is None:
            return None
        if execution["status"] not in FINISHED:
            raise NotDeletable(
                f"WorkflowExecution {execution_id} is {execution['status']}: only "
                f"{', '.join(FINISHED)} executions can be deleted (cancel it first)"
            )
        blockers = await conn.fetchrow(q("execution_purge_blockers"), execution_id)
        assert blockers is not None
        if blockers["leased"]:
            raise NotDeletable(
                f"WorkflowExecution {execution_id} still has {blockers['leased']} run(s) "
                "in flight: try again when its runners have stopped them"
            )
        if blockers["quarantined"]:
            raise NotDeletable(
                f"WorkflowExecution {execution_id} has {blockers['quarantined']} dead "
                "letter(s) waiting for a decision: requeue or discard them first"
            )
        return await _delete(conn, [execution_id])


def retention_cutoff(days: float, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or datetime.datetime.now(datetime.UTC)) - datetime.timedelta(days=days)
