"""Execution control: pause, resume, cancel, enforced by the engine.

Each operation is one transaction that locks the execution row first (the lock
order every writer of runs follows), checks the transition, then changes the
execution's runs:

- pause: RUNNING → PAUSED. The execution's PENDING runs get `held = true`, which
  takes them out of the claim's partial index (ix_runs_ready); runs created
  while paused (a completion of a run that was in flight, a retry) are inserted
  held. Runs in flight finish normally.
- resume: PAUSED → RUNNING. Held runs are released (available_at moved to now
  when it passed while paused), runners are woken (NOTIFY), and the execution
  is advanced in case steps became ready meanwhile.
- cancel: RUNNING / PAUSED / PENDING → CANCELLED. PENDING runs are CANCELLED at
  once; LEASED runs get `cancel_requested`, which their runner learns at its
  next heartbeat (the in-process runner interrupts the task and reports the
  run CANCELLED). Results that arrive later create nothing: advance skips
  executions that are not active, and fail_run neither retries nor
  dead-letters runs of a cancelled execution.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from custom.executions.advance import advance, release_slot
from custom.executions.context import EngineContext, standalone_context
from custom.sql import q
from generated.constants import ExecutionStatus


class ExecutionNotFound(LookupError):
    pass


class InvalidTransition(Exception):
    """The execution is not in a status the operation applies to (409)."""

    def __init__(
        self, operation: str, execution_id: uuid.UUID, status: str, allowed: tuple[str, ...]
    ) -> None:
        self.status = status
        super().__init__(
            f"cannot {operation} execution {execution_id}: it is {status} "
            f"(only {' or '.join(allowed)} executions can be {_past(operation)})"
        )


def _past(operation: str) -> str:
    return {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}[operation]


@dataclass
class Controlled:
    execution: asyncpg.Record
    runs_changed: int  # held / released / cancelled now
    cancel_requested: int = 0  # in-flight runs told to stop (cancel)


PAUSABLE = (ExecutionStatus.RUNNING,)
RESUMABLE = (ExecutionStatus.PAUSED,)
CANCELLABLE = (ExecutionStatus.RUNNING, ExecutionStatus.PAUSED, ExecutionStatus.PENDING)


async def _lock(
    conn: asyncpg.Connection, execution_id: uuid.UUID, operation: str, allowed: tuple[str, ...]
) -> asyncpg.Record:
    execution = await conn.fetchrow(q("execution_lock"), execution_id)
    if execution is None:
        raise ExecutionNotFound(f"WorkflowExecution {execution_id} does not exist")
    if execution["status"] not in allowed:
        raise InvalidTransition(operation, execution_id, execution["status"], allowed)
    return execution


async def _audit(
    conn: asyncpg.Connection,
    before: asyncpg.Record,
    after: asyncpg.Record,
    action: str,
    actor: str,
    runs_changed: int,
) -> None:
    await conn.execute(
        q("execution_audit_insert"),
        before["id"],
        action,
        actor,
        before["status"],
        after["status"],
        runs_changed,
    )


async def pause(
    conn: asyncpg.Connection, execution_id: uuid.UUID, *, actor: str = "system"
) -> Controlled:
    async with conn.transaction():
        before = await _lock(conn, execution_id, "pause", PAUSABLE)
        execution = await conn.fetchrow(q("execution_pause"), execution_id)
        held = await conn.fetch(q("runs_hold"), execution_id)
        await _audit(conn, before, execution, "pause", actor, len(held))
        return Controlled(execution, len(held))


async def resume(
    conn: asyncpg.Connection,
    execution_id: uuid.UUID,
    *,
    actor: str = "system",
    ctx: EngineContext | None = None,
) -> Controlled:
    async with conn.transaction():
        before = await _lock(conn, execution_id, "resume", RESUMABLE)
        execution = await conn.fetchrow(q("execution_resume"), execution_id)
        released = await conn.fetch(q("runs_unhold"), execution_id)
        if released:
            await conn.execute(q("runs_notify"))
        await advance(conn, execution, ctx=ctx or standalone_context())
        # advance may have completed or failed it; answer with what is stored now
        execution = await conn.fetchrow(q("execution_get"), execution_id)
        await _audit(conn, before, execution, "resume", actor, len(released))
        return Controlled(execution, len(released))


async def cancel(
    conn: asyncpg.Connection,
    execution_id: uuid.UUID,
    *,
    actor: str = "system",
    ctx: EngineContext | None = None,
) -> Controlled:
    async with conn.transaction():
        before = await _lock(conn, execution_id, "cancel", CANCELLABLE)
        execution = await conn.fetchrow(q("execution_cancel"), execution_id)
        cancelled = await conn.fetch(q("runs_cancel_pending"), execution_id)
        told = await conn.fetch(q("runs_request_cancel"), execution_id)
        if before["status"] != ExecutionStatus.PENDING:
            # a waiting execution held no slot; and taking the (workflow, key) lock while
            # holding its row could deadlock with an admission that wants that row
            await release_slot(conn, execution, ctx=ctx or standalone_context())
        await _audit(conn, before, execution, "cancel", actor, len(cancelled) + len(told))
        return Controlled(execution, len(cancelled), len(told))
