"""Start an execution, idempotently, with its first runs in the same transaction."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.concurrency import ConcurrencyKeyError, concurrency_key, may_run_now
from custom.executions.context import EngineContext, standalone_context
from custom.executions.runs import run_row
from custom.idempotency import execution_content_hash
from custom.sql import q
from custom.workflows.references import InputReferenceError, resolve_inputs
from custom.workflows.waits import is_wait
from generated.constants import PRIORITY_DEFAULT, PRIORITY_MAXIMUM, ExecutionStatus


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
    priority: int = PRIORITY_DEFAULT,
) -> Started:
    """Insert the execution unless its key exists; the unique index decides races.

    One round trip (execution_start) when the workflow's current version is the one
    this process remembers and its first steps' inputs resolve; otherwise the
    version is read first, and inputs that do not resolve take the transaction path
    that dead-letters them. A `plan` (delayed start, schedule) takes the transaction
    path: such starts are rare next to plain submissions, whose path stays as it is.
    So does a workflow version with a concurrency limit (its slot is decided under a
    lock, custom/executions/concurrency.py): ConcurrencyKeyError when the inputs do
    not give its key, and nothing is written."""
    ctx = ctx or standalone_context()
    submit = _Submit(workflow_id, inputs, idempotency_key, trace_context, created_by, priority)
    if plan is not None:
        return await _start_in_transaction(conn, submit, ctx, plan)
    definitions, wakeups = ctx.definitions, ctx.wakeups
    version = definitions.remembered_version(workflow_id)
    for _ in range(3):  # a PUT between our read and the insert: build again, rarely twice
        if version is None:
            version = await conn.fetchval(q("workflow_current_version"), workflow_id)
            definitions.remember_version(workflow_id, version)
            if version is None:
                raise WorkflowNotFound(f"Workflow {workflow_id} does not exist")
        steps = await definitions.steps_of(conn, workflow_id, version)
        if await definitions.concurrency_of(conn, workflow_id, version) is not None:
            return await _start_in_transaction(conn, submit, ctx)
        content_hash = execution_content_hash(workflow_id, version, inputs)
        key = idempotency_key or content_hash
        first = _first_runs(steps, inputs, ctx)
        if first is None:
            return await _start_in_transaction(conn, submit, ctx)
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
            priority,
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
    # the workflow keeps changing: take the lock path
    return await _start_in_transaction(conn, submit, ctx)


def _first_runs(
    steps: list[dict[str, Any]], inputs: dict[str, Any], ctx: EngineContext
) -> list[dict[str, Any]] | None:
    """The rows of the steps without dependencies; None when one cannot resolve its
    inputs, is a wait (advance parks those), or there is none to run."""
    rows = []
    for step in steps:
        if step.get("dependsOn"):
            continue
        if is_wait(step):
            return None
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
        raise _key_conflict(key, existing)
    return Started(existing, False)


def _key_conflict(key: str, existing: asyncpg.Record) -> IdempotencyConflict:
    return IdempotencyConflict(
        f"Idempotency-Key {key!r} was already used for execution {existing['id']} "
        f"with different content (workflow {existing['workflow_id']} "
        f"version {existing['workflow_version']})"
    )


class _Vanished(LookupError):
    """The execution a duplicate key referred to was deleted in between."""


@dataclass(frozen=True)
class _Submit:
    """What one submission asks for."""

    workflow_id: uuid.UUID
    inputs: dict[str, Any]
    idempotency_key: str | None
    trace_context: dict[str, str] | None
    created_by: str | None
    priority: int


async def _start_in_transaction(
    conn: asyncpg.Connection, submit: _Submit, ctx: EngineContext, plan: Plan | None = None
) -> Started:
    """The general path: read the current version in the transaction, insert,
    advance (which dead-letters first steps whose inputs do not resolve). A planned
    execution that starts later, or one waiting for a concurrency slot, is inserted
    PENDING, without runs."""
    async with conn.transaction():
        workflow = await conn.fetchrow(q("workflow_current"), submit.workflow_id)
        if workflow is None:
            raise WorkflowNotFound(f"Workflow {submit.workflow_id} does not exist")
        version = workflow["version"]
        ctx.definitions.remember_version(submit.workflow_id, version)
        content_hash = execution_content_hash(submit.workflow_id, version, submit.inputs)
        key = submit.idempotency_key or content_hash
        slot = await _slot(conn, submit, version, ctx, plan)
        values = (
            submit.workflow_id,
            version,
            submit.inputs,
            key,
            content_hash,
            submit.trace_context,
            submit.created_by,
        )
        execution = await _insert(conn, values, submit.priority, slot, plan)
        if execution is not None and execution["status"] == ExecutionStatus.PENDING:
            # runs come when the scheduler releases it or a slot admits it
            return Started(execution, True)
        if execution is not None:
            outcome = await advance(conn, execution, ctx=ctx, fresh=True)
            if outcome.failed:  # a first step could not even resolve its inputs
                execution = await conn.fetchrow(q("execution_get"), execution["id"])
            return Started(execution, True)
    try:
        return await _duplicate_of(conn, key, content_hash)
    except _Vanished:  # deleted in between: vanishingly rare; a new submission
        return await _start_in_transaction(conn, submit, ctx, plan)


@dataclass(frozen=True)
class _Slot:
    """The execution's concurrency key (None: its version has no limit) and whether
    it runs now (else it waits PENDING for a slot)."""

    key: str | None = None
    runs_now: bool = True


async def _slot(
    conn: asyncpg.Connection,
    submit: _Submit,
    version: int,
    ctx: EngineContext,
    plan: Plan | None,
) -> _Slot:
    """Under the (workflow, key) lock held to the commit: whether a slot is free."""
    limit = await ctx.definitions.concurrency_of(conn, submit.workflow_id, version)
    if limit is None:
        return _Slot()
    key = concurrency_key(limit, submit.inputs)
    now = plan.now if plan is not None and plan.now is not None else ctx.clock.db_now()
    runs_now = await may_run_now(conn, submit.workflow_id, key, limit["limit"], now)
    return _Slot(key, runs_now)


@dataclass(frozen=True)
class BatchItem:
    """One execution to start in a batch: what a single submit's body and
    Idempotency-Key header carry."""

    workflow_id: uuid.UUID
    inputs: dict[str, Any]
    idempotency_key: str | None = None
    priority: int = PRIORITY_DEFAULT


# What one item of a batch came to: started (or found), or why not
BatchOutcome = Started | WorkflowNotFound | IdempotencyConflict | ConcurrencyKeyError


@dataclass
class _Planned:
    """An item whose workflow exists: its version, content hash and key."""

    index: int
    item: BatchItem
    version: int
    content_hash: str
    key: str


async def start_batch(
    conn: asyncpg.Connection,
    items: list[BatchItem],
    *,
    trace_context: dict[str, str] | None = None,
    created_by: str | None = None,
    ctx: EngineContext | None = None,
) -> list[BatchOutcome]:
    """Start one execution per item, in one transaction, with the single submit's rules.

    An unknown workflow or a key reused for other content fails that item alone. A
    key repeated inside the batch starts one execution; the later items are its
    duplicates (or conflicts, with other content). Four statements for the whole
    batch: the workflows' versions, the executions (in key order), their first runs,
    one NOTIFY. An execution whose first steps cannot resolve their inputs takes the
    ordinary path (advance), which dead-letters them. Items of a workflow version with
    a concurrency limit are submitted one by one after the batch commits (the single
    submit's transaction path: their slots are decided under a lock)."""
    ctx = ctx or standalone_context()
    outcomes: list[BatchOutcome | None] = [None] * len(items)
    async with conn.transaction():
        planned, limited = await _plan_batch(conn, items, outcomes, ctx)
        owners = _owners_of_keys(planned, outcomes)
        created = await conn.fetch(
            q("executions_insert_batch"),
            [
                {
                    "workflow_id": str(p.item.workflow_id),
                    "version": p.version,
                    "inputs": p.item.inputs,
                    "key": p.key,
                    "hash": p.content_hash,
                    "priority": p.item.priority,
                }
                for p in owners.values()
            ],
            trace_context,
            created_by,
        )
        if await _insert_first_runs(conn, created, ctx):
            await conn.execute(q("runs_notify"))
    if created:
        ctx.wakeups.committed(notified=True)
    by_key: dict[str, Started] = {e["idempotency_key"]: Started(e, True) for e in created}
    missing = [k for k in owners if k not in by_key]
    if missing:
        for e in await conn.fetch(q("executions_by_keys"), missing):
            by_key[e["idempotency_key"]] = Started(e, False)
    for p in planned:
        if outcomes[p.index] is None:
            outcomes[p.index] = await _outcome_of(conn, p, by_key, owners, ctx)
    for index, item in limited:
        outcomes[index] = await _start_alone(conn, item, trace_context, created_by, ctx)
    return [o for o in outcomes if o is not None]


async def _start_alone(
    conn: asyncpg.Connection,
    item: BatchItem,
    trace_context: dict[str, str] | None,
    created_by: str | None,
    ctx: EngineContext,
) -> BatchOutcome:
    """A batch item submitted as a single submit would be."""
    try:
        return await start_execution(
            conn,
            item.workflow_id,
            item.inputs,
            idempotency_key=item.idempotency_key,
            trace_context=trace_context,
            created_by=created_by,
            ctx=ctx,
            priority=item.priority,
        )
    except (WorkflowNotFound, IdempotencyConflict, ConcurrencyKeyError) as exc:
        return exc


async def _plan_batch(
    conn: asyncpg.Connection,
    items: list[BatchItem],
    outcomes: list[BatchOutcome | None],
    ctx: EngineContext,
) -> tuple[list[_Planned], list[tuple[int, BatchItem]]]:
    """Each item with its workflow's current version, and the items whose version has
    a concurrency limit apart (submitted alone); an unknown workflow's items get their
    outcome here."""
    wanted = list({i.workflow_id for i in items})
    versions = {
        r["id"]: r["version"] for r in await conn.fetch(q("workflows_current_many"), wanted)
    }
    planned = []
    limited = []
    for index, item in enumerate(items):
        version = versions.get(item.workflow_id)
        if version is None:
            outcomes[index] = WorkflowNotFound(f"Workflow {item.workflow_id} does not exist")
            continue
        if await ctx.definitions.concurrency_of(conn, item.workflow_id, version) is not None:
            limited.append((index, item))
            continue
        content_hash = execution_content_hash(item.workflow_id, version, item.inputs)
        key = item.idempotency_key or content_hash
        planned.append(_Planned(index, item, version, content_hash, key))
    return planned, limited


def _owners_of_keys(
    planned: list[_Planned], outcomes: list[BatchOutcome | None]
) -> dict[str, _Planned]:
    """The first item of each key, which the insert is for; a later item with other
    content under the same key is a conflict (the single submit's 422)."""
    owners: dict[str, _Planned] = {}
    for p in planned:
        first = owners.setdefault(p.key, p)
        if first.content_hash != p.content_hash:
            outcomes[p.index] = IdempotencyConflict(
                f"Idempotency-Key {p.key!r} was already used in this batch (item "
                f"{first.index}) with different content"
            )
    return owners


async def _insert_first_runs(
    conn: asyncpg.Connection, created: list[asyncpg.Record], ctx: EngineContext
) -> bool:
    """The root runs of the new executions in one statement; True when there are any."""
    rows: list[dict[str, Any]] = []
    for execution in created:
        steps = await ctx.definitions.steps_of(
            conn, execution["workflow_id"], execution["workflow_version"]
        )
        try:
            first = [
                (s, resolve_inputs(s.get("inputs") or {}, execution["inputs"], {}))
                for s in steps
                if not s.get("dependsOn")
            ]
        except InputReferenceError:
            await advance(conn, execution, ctx=ctx, fresh=True)
            continue
        if any(is_wait(s) for s, _ in first):  # parked by advance, not inserted PENDING
            await advance(conn, execution, ctx=ctx, fresh=True)
            continue
        rank = PRIORITY_MAXIMUM - execution["priority"]  # ix_runs_ready: 0 first
        rows += [
            {
                **run_row(s, inputs, ctx.modules),
                "execution_id": str(execution["id"]),
                "priority_rank": rank,
            }
            for s, inputs in first
        ]
    if rows:
        await conn.execute(q("runs_insert_many"), rows)
    return bool(rows)


async def _outcome_of(
    conn: asyncpg.Connection,
    p: _Planned,
    by_key: dict[str, Started],
    owners: dict[str, _Planned],
    ctx: EngineContext,
) -> BatchOutcome:
    """A planned item's outcome once the batch committed."""
    started = by_key.get(p.key)
    if started is None:  # deleted between the insert and the read: submit it alone
        try:
            return await start_execution(
                conn,
                p.item.workflow_id,
                p.item.inputs,
                idempotency_key=p.item.idempotency_key,
                ctx=ctx,
                priority=p.item.priority,
            )
        except (WorkflowNotFound, IdempotencyConflict) as exc:
            return exc
    if started.execution["request_hash"] != p.content_hash:
        return _key_conflict(p.key, started.execution)
    if owners[p.key] is not p:  # a repeat inside the batch: the owner's execution
        return Started(started.execution, False)
    return started


async def _insert(
    conn: asyncpg.Connection,
    values: tuple[Any, ...],
    priority: int,
    slot: _Slot,
    plan: Plan | None,
) -> asyncpg.Record | None:
    """The execution row (None: its idempotency key exists)."""
    if plan is None:
        return await conn.fetchrow(
            q("execution_insert"), *values, priority, slot.key, slot.runs_now
        )
    return await conn.fetchrow(
        q("execution_insert_planned"),
        *values,
        plan.start_at,
        plan.schedule_id,
        plan.now,
        priority,
        slot.key,
        slot.runs_now,
    )


async def start_many(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    inputs_list: list[dict[str, Any]],
    *,
    created_by: str | None = None,
    ctx: EngineContext | None = None,
) -> list[Started]:
    """Start one execution per inputs of one workflow (keyed by content hash) in one
    transaction (start_batch)."""
    outcomes = await start_batch(
        conn, [BatchItem(workflow_id, i) for i in inputs_list], created_by=created_by, ctx=ctx
    )
    results = []
    for outcome in outcomes:
        if not isinstance(outcome, Started):
            raise outcome
        results.append(outcome)
    return results
