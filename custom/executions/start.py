"""Start an execution, idempotently, with its first runs in the same transaction."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.context import EngineContext, standalone_context
from custom.executions.runs import run_row
from custom.idempotency import execution_content_hash
from custom.sql import q
from custom.workflows.references import InputReferenceError, resolve_inputs
from generated.constants import ExecutionStatus


class WorkflowNotFound(LookupError):
    pass


class IdempotencyConflict(ValueError):
    """The Idempotency-Key was used before for different content."""


@dataclass(frozen=True)
class Plan:
    """When and why an execution starts: `start_at` later than now keeps it PENDING
    (the scheduler releases it, custom.schedules.firing); `schedule_id` is the
    schedule whose firing started it. `now` is the clock (None: the database's)."""

    start_at: datetime.datetime | None = None
    schedule_id: uuid.UUID | None = None
    now: datetime.datetime | None = None


@dataclass
class Started:
    execution: asyncpg.Record
    created: bool  # False: a duplicate of an existing execution


async def start_execution(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    inputs: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    trace_context: dict[str, str] | None = None,
    created_by: str | None = None,
    ctx: EngineContext | None = None,
    plan: Plan | None = None,
) -> Started:
    """Insert the execution unless its key exists; the unique index decides races.

    One round trip (execution_start) when the workflow's current version is the one
    this process remembers and its first steps' inputs resolve; otherwise the
    version is read first, and inputs that do not resolve take the transaction path
    that dead-letters them. A `plan` (delayed start, schedule) takes the transaction
    path: such starts are rare next to plain submissions, whose path stays as it is."""
    ctx = ctx or standalone_context()
    if plan is not None:
        return await _start_in_transaction(
            conn, workflow_id, inputs, idempotency_key, trace_context, created_by, ctx, plan
        )
    definitions, wakeups = ctx.definitions, ctx.wakeups
    version = definitions.remembered_version(workflow_id)
    for _ in range(3):  # a PUT between our read and the insert: build again, rarely twice
        if version is None:
            version = await conn.fetchval(q("workflow_current_version"), workflow_id)
            definitions.remember_version(workflow_id, version)
            if version is None:
                raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        steps = await definitions.steps_of(conn, workflow_id, version)
        content_hash = execution_content_hash(workflow_id, version, inputs)
        key = idempotency_key or content_hash
        first = _first_runs(steps, inputs, ctx)
        if first is None:
            return await _start_in_transaction(
                conn, workflow_id, inputs, idempotency_key, trace_context, created_by, ctx
            )
        notify = wakeups.notify_inline()
        row = await conn.fetchrow(
            q("execution_start"),
            workflow_id,
            version,
            inputs,
            key,
            content_hash,
            trace_context,
            created_by,
            first,
            notify,
        )
        if row is None:
            definitions.remember_version(workflow_id, None)
            raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        if row["current_version"] != version:
            version = row["current_version"]
            definitions.remember_version(workflow_id, version)
            continue
        if row["id"] is not None:
            wakeups.committed(notified=notify)
            return Started(row, True)
        try:
            return await _duplicate_of(conn, key, content_hash)
        except _Vanished:  # deleted in between: vanishingly rare; a new submission
            continue
    return await _start_in_transaction(  # the workflow keeps changing: take the lock path
        conn, workflow_id, inputs, idempotency_key, trace_context, created_by, ctx
    )


def _first_runs(
    steps: list[dict[str, Any]], inputs: dict[str, Any], ctx: EngineContext
) -> list[dict[str, Any]] | None:
    """The rows of the steps without dependencies; None when one cannot resolve its
    inputs (or there is none to run)."""
    rows = []
    for step in steps:
        if step.get("dependsOn"):
            continue
        try:
            resolved = resolve_inputs(step.get("inputs") or {}, inputs, {})
        except InputReferenceError:
            return None
        rows.append(run_row(step, resolved, ctx.modules))
    return rows or None


async def _duplicate_of(conn: asyncpg.Connection, key: str, content_hash: str) -> Started:
    existing = await conn.fetchrow(q("execution_by_idempotency_key"), key)
    if existing is None:
        raise _Vanished
    if existing["request_hash"] != content_hash:
        raise IdempotencyConflict(
            f"Idempotency-Key {key!r} was already used for execution {existing['id']} "
            f"with different content (workflow {existing['workflow_id']} "
            f"version {existing['workflow_version']})"
        )
    return Started(existing, False)


class _Vanished(LookupError):
    """The execution a duplicate key referred to was deleted in between."""


async def _start_in_transaction(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    inputs: dict[str, Any],
    idempotency_key: str | None,
    trace_context: dict[str, str] | None,
    created_by: str | None,
    ctx: EngineContext,
    plan: Plan | None = None,
) -> Started:
    """The general path: read the current version in the transaction, insert,
    advance (which dead-letters first steps whose inputs do not resolve). A planned
    execution that starts later is inserted PENDING, without runs."""
    async with conn.transaction():
        workflow = await conn.fetchrow(q("workflow_current"), workflow_id)
        if workflow is None:
            raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        version = workflow["version"]
        ctx.definitions.remember_version(workflow_id, version)
        content_hash = execution_content_hash(workflow_id, version, inputs)
        key = idempotency_key or content_hash
        execution = await _insert(
            conn, (workflow_id, version, inputs, key, content_hash, trace_context, created_by), plan
        )
        if execution is not None and execution["status"] == ExecutionStatus.PENDING:
            return Started(execution, True)  # runs come when the scheduler releases it
        if execution is not None:
            outcome = await advance(conn, execution, ctx=ctx, fresh=True)
            if outcome.failed:  # a first step could not even resolve its inputs
                execution = await conn.fetchrow(q("execution_get"), execution["id"])
            return Started(execution, True)
    try:
        return await _duplicate_of(conn, key, content_hash)
    except _Vanished:  # deleted in between: vanishingly rare; a new submission
        return await _start_in_transaction(
            conn, workflow_id, inputs, idempotency_key, trace_context, created_by, ctx, plan
        )


async def _insert(
    conn: asyncpg.Connection, values: tuple[Any, ...], plan: Plan | None
) -> asyncpg.Record | None:
    """The execution row (None: its idempotency key exists)."""
    if plan is None:
        return await conn.fetchrow(q("execution_insert"), *values)
    return await conn.fetchrow(
        q("execution_insert_planned"), *values, plan.start_at, plan.schedule_id, plan.now
    )


async def start_many(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    inputs_list: list[dict[str, Any]],
    *,
    created_by: str | None = None,
    ctx: EngineContext | None = None,
) -> list[Started]:
    """Start one execution per inputs (keyed by content hash) in one transaction.

    Three statements for the whole batch: the executions, their first runs, one
    NOTIFY. An execution whose first steps cannot resolve their inputs takes the
    ordinary path (advance), which dead-letters them.
    """
    ctx = ctx or standalone_context()
    async with conn.transaction():
        workflow = await conn.fetchrow(q("workflow_current"), workflow_id)
        if workflow is None:
            raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        version = workflow["version"]
        hashes = [execution_content_hash(workflow_id, version, i) for i in inputs_list]
        batch = [
            {"inputs": i, "key": h, "hash": h} for i, h in zip(inputs_list, hashes, strict=True)
        ]
        created = await conn.fetch(
            q("executions_insert_many"), workflow_id, version, batch, created_by
        )
        steps = await ctx.definitions.steps_of(conn, workflow_id, version)
        roots = [s for s in steps if not s.get("dependsOn")]
        rows: list[dict[str, Any]] = []
        for execution in created:
            try:
                first = [
                    (s, resolve_inputs(s.get("inputs") or {}, execution["inputs"], {}))
                    for s in roots
                ]
            except InputReferenceError:
                await advance(conn, execution, ctx=ctx, fresh=True)
                continue
            rows += [
                {**run_row(s, inputs, ctx.modules), "execution_id": str(execution["id"])}
                for s, inputs in first
            ]
        if rows:
            await conn.execute(q("runs_insert_many"), rows)
            await conn.execute(q("runs_notify"))
    by_key = {e["idempotency_key"]: Started(e, True) for e in created}
    missing = [h for h in hashes if h not in by_key]
    if missing:
        for e in await conn.fetch(q("executions_by_keys"), missing):
            by_key[e["idempotency_key"]] = Started(e, False)
    seen: set[str] = set()
    results = []
    for h in hashes:  # a duplicate inside the batch is reported as not created
        started = by_key[h]
        results.append(started if h not in seen else Started(started.execution, False))
        seen.add(h)
    return results
