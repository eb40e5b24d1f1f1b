"""Resolving dead letters: requeue with corrected inputs, or discard.

Each resolution is ONE transaction that locks the entry's execution first and
then the entry (the lock order of every writer of runs), re-checks that the
entry is still QUARANTINED (a resolved entry cannot be resolved again: 409),
and writes an audit record (dead_letter_audit) next to the change.

requeue: the execution is reopened when it is FAILED (execution_reopen →
RUNNING), a fresh run of the step is created by replay_step (which reuses an
earlier success with the same idempotency key instead of repeating a side
effect), with the dead-lettered run's inputs and `inputOverrides` merged over
them (top-level keys). The new run gets a fresh set of attempts (maxAttempts
counted from the requeue). Then the execution is advanced: when the requeued
run succeeds the execution continues and completes.

Several dead letters in one execution (parallel branches): requeuing one
reopens the execution; advance never re-creates a dead-lettered step, and when
nothing else is in flight it fails the execution again while a step is still
dead-lettered. So the execution completes only when every step succeeded, and
it is FAILED (not stuck RUNNING) while an open dead letter blocks it.

discard: the entry is DISCARDED, the execution stays as it is (FAILED).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.context import EngineContext, standalone_context
from custom.executions.definitions import step_by_key
from custom.executions.replay import replay_step
from custom.idempotency import canonical_json, sha256_hex
from custom.json_values import contains_nul
from custom.sql import q
from generated.constants import DeadLetterStatus, ExecutionStatus, RunStatus

QUARANTINED = DeadLetterStatus.QUARANTINED
REQUEUED = DeadLetterStatus.REQUEUED
DISCARDED = DeadLetterStatus.DISCARDED
# a dead letter can be requeued while its execution is FAILED (reopened) or still active
# (another branch was requeued first); never into a CANCELLED or COMPLETED execution
REQUEUEABLE = (ExecutionStatus.FAILED, ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)


class DeadLetterNotFound(LookupError):
    pass


class AlreadyResolved(Exception):
    """The entry is REQUEUED or DISCARDED already (409)."""


class NotRequeueable(Exception):
    """The entry's execution is over (CANCELLED / COMPLETED): nothing to resume (409)."""


class InvalidOverrides(ValueError):
    """inputOverrides that cannot be stored (400); nothing was changed."""


@dataclass(frozen=True)
class Filter:
    execution_id: uuid.UUID | None = None
    workflow_id: uuid.UUID | None = None
    step_key: str | None = None
    reason: str | None = None


def validate_overrides(overrides: Any) -> dict[str, Any] | None:
    """The overrides as a dict (None when absent), or InvalidOverrides."""
    if overrides is None:
        return None
    if not isinstance(overrides, dict):
        raise InvalidOverrides("inputOverrides must be a JSON object")
    if contains_nul(overrides):
        raise InvalidOverrides("inputOverrides must not contain NUL characters (U+0000)")
    try:
        canonical_json(overrides)
    except (TypeError, ValueError) as exc:
        raise InvalidOverrides(f"inputOverrides is not storable JSON: {exc}") from None
    return overrides


def inputs_hash(inputs: Any) -> str:
    return sha256_hex(canonical_json(inputs))


def merged_inputs(original: Any, overrides: dict[str, Any] | None) -> Any:
    if not overrides:
        return original
    base = original if isinstance(original, dict) else {}
    return {**base, **overrides}


async def _lock_entry(
    conn: asyncpg.Connection,
    dead_letter_id: uuid.UUID,
) -> tuple[asyncpg.Record, asyncpg.Record]:
    """Lock the entry's execution, then the entry; check it is still QUARANTINED."""
    entry = await conn.fetchrow(q("dead_letter_get"), dead_letter_id)
    if entry is None:
        raise DeadLetterNotFound(f"DeadLetterQueue {dead_letter_id} does not exist")
    execution = await conn.fetchrow(q("execution_lock"), entry["execution_id"])
    entry = await conn.fetchrow(q("dead_letter_lock"), dead_letter_id)
    if entry is None or execution is None:
        raise DeadLetterNotFound(f"DeadLetterQueue {dead_letter_id} does not exist")
    if entry["status"] != QUARANTINED:
        when = entry["resolved_at"].isoformat() if entry["resolved_at"] else "?"
        raise AlreadyResolved(
            f"DeadLetterQueue {dead_letter_id} is already {entry['status']}"
            f" (by {entry['resolved_by']} at {when})"
        )
    return execution, entry


async def _fresh_attempts(
    conn: asyncpg.Connection, execution_id: uuid.UUID, step: dict[str, Any]
) -> dict[str, Any]:
    """The step with maxAttempts counted from the requeue (a requeue is a new start)."""
    used = await conn.fetchval(q("run_latest_attempt"), execution_id, step["key"])
    retry = dict(step.get("retry") or {})
    retry["maxAttempts"] = used + int(retry.get("maxAttempts", 3))
    return {**step, "retry": retry}


async def requeue(
    conn: asyncpg.Connection,
    dead_letter_id: uuid.UUID,
    *,
    actor: str,
    notes: str | None = None,
    overrides: dict[str, Any] | None = None,
    ctx: EngineContext | None = None,
) -> asyncpg.Record:
    """Requeue one entry; returns the resolved entry."""
    ctx = ctx or standalone_context()
    overrides = validate_overrides(overrides)
    async with conn.transaction():
        execution, entry = await _lock_entry(conn, dead_letter_id)
        if execution["status"] not in REQUEUEABLE:
            raise NotRequeueable(
                f"DeadLetterQueue {dead_letter_id} cannot be requeued: its execution "
                f"{execution['id']} is {execution['status']}"
            )
        inputs = merged_inputs(entry["inputs"], overrides)
        if execution["status"] == ExecutionStatus.FAILED:
            execution = await conn.fetchrow(q("execution_reopen"), execution["id"])
        steps = await ctx.definitions.steps_of(
            conn, execution["workflow_id"], execution["workflow_version"]
        )
        step = await _fresh_attempts(conn, execution["id"], step_by_key(steps, entry["step_key"]))
        run = await replay_step(conn, execution, step, inputs, ctx=ctx)
        # (replay_step advanced already when it reused an earlier success)
        if run["status"] != RunStatus.SUCCEEDED:
            await advance(conn, execution, ctx=ctx)  # other steps it can run again
        resolved = await conn.fetchrow(
            q("dead_letter_resolve"), dead_letter_id, REQUEUED, actor, notes
        )
        await conn.execute(
            q("dead_letter_audit_insert"),
            dead_letter_id,
            entry["execution_id"],
            REQUEUED,
            actor,
            notes,
            overrides,
            inputs_hash(entry["inputs"]),
            inputs_hash(inputs),
            run["id"],
        )
        return resolved


async def discard(
    conn: asyncpg.Connection, dead_letter_id: uuid.UUID, *, actor: str, notes: str
) -> asyncpg.Record:
    """Discard one entry; the execution stays FAILED."""
    async with conn.transaction():
        _execution, entry = await _lock_entry(conn, dead_letter_id)
        resolved = await conn.fetchrow(
            q("dead_letter_resolve"), dead_letter_id, DISCARDED, actor, notes
        )
        digest = inputs_hash(entry["inputs"])
        await conn.execute(
            q("dead_letter_audit_insert"),
            dead_letter_id,
            entry["execution_id"],
            DISCARDED,
            actor,
            notes,
            None,
            digest,
            digest,
            None,
        )
        return resolved


async def matching(
    conn: asyncpg.Connection | asyncpg.Pool, where: Filter, limit: int
) -> list[uuid.UUID]:
    rows = await conn.fetch(
        q("dead_letter_matching"),
        where.execution_id,
        where.workflow_id,
        where.step_key,
        limit,
        where.reason,
    )
    return [r["id"] for r in rows]


async def still_matching(conn: asyncpg.Connection | asyncpg.Pool, where: Filter) -> int:
    """QUARANTINED entries that match `where` (what a capped bulk request left)."""
    return await conn.fetchval(
        q("dead_letter_matching_count"),
        where.execution_id,
        where.workflow_id,
        where.step_key,
        where.reason,
    )


async def bulk_requeue(
    pool: asyncpg.Pool,
    where: Filter,
    *,
    actor: str,
    notes: str | None = None,
    overrides: dict[str, Any] | None = None,
    limit: int = 1000,
    ctx: EngineContext | None = None,
) -> list[uuid.UUID]:
    """Requeue up to `limit` QUARANTINED entries matching `where`, one transaction per
    entry.

    Entries resolved meanwhile by somebody else, or whose execution ended, are skipped.
    """
    overrides = validate_overrides(overrides)  # a bad override changes nothing at all
    done: list[uuid.UUID] = []
    async with pool.acquire() as conn:
        for dead_letter_id in await matching(conn, where, limit):
            try:
                await requeue(
                    conn, dead_letter_id, actor=actor, notes=notes, overrides=overrides, ctx=ctx
                )
            except (AlreadyResolved, NotRequeueable, DeadLetterNotFound):
                continue
            done.append(dead_letter_id)
    return done


async def bulk_discard(
    pool: asyncpg.Pool, where: Filter, *, actor: str, notes: str, limit: int = 1000
) -> list[uuid.UUID]:
    done: list[uuid.UUID] = []
    async with pool.acquire() as conn:
        for dead_letter_id in await matching(conn, where, limit):
            try:
                await discard(conn, dead_letter_id, actor=actor, notes=notes)
            except (AlreadyResolved, DeadLetterNotFound):
                continue
            done.append(dead_letter_id)
    return done


async def audit_of(
    conn: asyncpg.Connection | asyncpg.Pool, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[asyncpg.Record]]:
    out: dict[uuid.UUID, list[asyncpg.Record]] = {i: [] for i in ids}
    if ids:
        for row in await conn.fetch(q("dead_letter_audit_of"), ids):
            out[row["dead_letter_id"]].append(row)
    return out
