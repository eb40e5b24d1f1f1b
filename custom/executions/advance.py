"""Move an execution forward: create the runs of steps that became ready, or complete it.

Called with the execution row locked (execution_lock*), in the same transaction
as the change that made steps ready (a start, a completion, a requeue, a resume).
The state is recomputed from the runs each time, so a missed or repeated call
cannot lose or duplicate a step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from custom.executions.concurrency import admit_waiting
from custom.executions.context import EngineContext
from custom.executions.dead_letters import PERMANENT, quarantine
from custom.executions.runs import insert_runs, ready_now, run_row
from custom.executions.signal_delivery import deliver_signals
from custom.sql import q
from custom.workflows.references import InputReferenceError, resolve_inputs
from generated.constants import ExecutionStatus, RunStatus

ACTIVE = (ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)
IN_FLIGHT = (RunStatus.PENDING, RunStatus.LEASED, RunStatus.WAITING)
# a step whose latest run ended like this, with no retry scheduled, is run again when its
# execution is active (a reaped run of a FAILED execution that a requeue reopened)
ABANDONED = (RunStatus.FAILED, RunStatus.CANCELLED)


@dataclass
class Advance:
    created: list[asyncpg.Record] = field(default_factory=list)
    ready: bool = False  # a created run can be claimed at once
    completed: bool = False
    failed: bool = False


async def advance(
    conn: asyncpg.Connection,
    execution: asyncpg.Record | dict[str, Any],
    *,
    ctx: EngineContext,
    now: Any = None,
    fresh: bool = False,
    latest_runs: list[asyncpg.Record] | None = None,
    completed: list[dict[str, Any]] | None = None,
    notify: bool = True,
) -> Advance:
    """`fresh`: the execution was inserted in this transaction and has no runs yet;
    `latest_runs`: its runs as execution_runs_latest gives them, read by the caller
    (a batch reads those of many executions at once); `completed`: when given, an
    execution whose steps all succeeded is appended there for the caller to complete
    in one statement with the others (executions_complete_many) instead of one each;
    `notify=False`: no NOTIFY in the transaction, the caller wakes runners after it
    commits when `ready` says so."""
    result = Advance()
    if execution["status"] not in ACTIVE:
        return result  # FAILED / CANCELLED / COMPLETED executions start nothing new
    steps = await ctx.definitions.steps_of(
        conn, execution["workflow_id"], execution["workflow_version"]
    )
    latest: dict[str, asyncpg.Record] = {}
    if latest_runs is not None:
        latest = {r["step_key"]: r for r in latest_runs}
    elif not fresh:
        rows = await conn.fetch(q("execution_runs_latest"), execution["id"])
        latest = {r["step_key"]: r for r in rows}
    outputs = {k: r["output"] for k, r in latest.items() if r["status"] == RunStatus.SUCCEEDED}
    if len(outputs) == len(steps):
        if completed is not None:
            completed.append({"id": str(execution["id"]), "outputs": outputs})
        else:
            freed = await conn.fetchrow(q("execution_complete"), execution["id"], outputs)
            await release_slot(conn, freed, ctx=ctx)
        result.completed = True
        return result

    rows = _next_rows(steps, latest, outputs, execution["inputs"] or {}, ctx)
    held = execution["status"] == ExecutionStatus.PAUSED
    result.created = await insert_runs(
        conn, execution["id"], rows, held=held, now=now, notify=notify
    )
    result.ready = ready_now(rows, held)
    for created in result.created:
        if created["status"] == RunStatus.DEAD_LETTERED:
            row = next(r for r in rows if r["step_key"] == created["step_key"])
            quarantined = await quarantine(
                conn,
                {**row, "id": created["id"], "execution_id": execution["id"]},
                PERMANENT,
                row["error"],
            )
            await release_slot(conn, quarantined.freed, ctx=ctx)
            result.failed = True
    if not result.failed:
        freed = await _fail_if_stuck(conn, execution, latest, result.created)
        await release_slot(conn, freed, ctx=ctx)
    if any(r["status"] == RunStatus.WAITING for r in result.created):
        await _take_kept_signals(
            conn, execution, result, ctx=ctx, now=now, completed=completed, notify=notify
        )
    return result


async def _take_kept_signals(
    conn: asyncpg.Connection,
    execution: asyncpg.Record | dict[str, Any],
    result: Advance,
    **kwargs: Any,
) -> None:
    """A wait just reached consumes a signal sent before it (kept in `signals`); the
    steps after it became ready, so advance once more (at most once per wait step)."""
    if not await deliver_signals(conn, execution["id"]):
        return
    more = await advance(conn, execution, **kwargs)
    result.created += more.created
    result.ready = result.ready or more.ready
    result.completed = more.completed
    result.failed = result.failed or more.failed


async def release_slot(
    conn: asyncpg.Connection, freed: asyncpg.Record | None, *, ctx: EngineContext
) -> None:
    """`freed` left RUNNING/PAUSED in this transaction: when its workflow has a
    concurrency limit, the oldest waiting executions with its key take the free slots
    and start (custom/executions/concurrency.py)."""
    if freed is None or freed["concurrency_key"] is None:
        return
    await _admit(
        conn, freed["workflow_id"], freed["workflow_version"], freed["concurrency_key"], ctx
    )


async def _admit(
    conn: asyncpg.Connection,
    workflow_id: uuid.UUID,
    version: int,
    key: str,
    ctx: EngineContext,
) -> int:
    """Start the waiting executions of (workflow, key) that fit under the limit of
    `version`; how many started."""
    limit = await ctx.definitions.concurrency_of(conn, workflow_id, version)
    if limit is None:
        return 0
    admitted = await admit_waiting(conn, workflow_id, key, limit["limit"], ctx.clock.db_now())
    for execution in admitted:
        await advance(conn, execution, ctx=ctx, fresh=True)
    return len(admitted)


async def sweep_waiting(pool: asyncpg.Pool, *, ctx: EngineContext, batch: int = 500) -> int:
    """The reaper's sweep: admit waiting executions that no freed slot admitted (a
    limit raised by a new version, a delayed one whose start came, a slot taken back
    over the limit by a requeue and freed since); one transaction per key. How many
    started."""
    keys = await pool.fetch(q("concurrency_waiting_keys"), batch, ctx.clock.db_now())
    started = 0
    for k in keys:
        async with pool.acquire() as conn, conn.transaction():
            started += await _admit(
                conn, k["workflow_id"], k["workflow_version"], k["concurrency_key"], ctx
            )
    return started


def _next_rows(
    steps: list[dict[str, Any]],
    latest: dict[str, asyncpg.Record],
    outputs: dict[str, Any],
    inputs: dict[str, Any],
    ctx: EngineContext,
) -> list[dict[str, Any]]:
    """The runs to create now: every step whose dependencies succeeded and that has
    no live run, with its inputs resolved; a step whose inputs cannot resolve gets a
    DEAD_LETTERED run instead (it would fail the same way on every attempt)."""
    rows: list[dict[str, Any]] = []
    unresolvable: list[tuple[dict[str, Any], InputReferenceError]] = []
    for step in steps:
        last = latest.get(step["key"])
        if last is not None and last["status"] not in ABANDONED:
            continue
        if any(d not in outputs for d in step.get("dependsOn", [])):
            continue
        try:
            resolved = resolve_inputs(step.get("inputs") or {}, inputs, outputs)
        except InputReferenceError as exc:
            unresolvable.append((step, exc))
            continue
        rows.append(
            run_row(step, resolved, ctx.modules, attempt=last["attempt"] + 1 if last else 1)
        )
    for step, exc in unresolvable:
        error = {"message": str(exc), "type": "input_reference"}
        last = latest.get(step["key"])
        attempt = last["attempt"] + 1 if last else 1
        rows.append(
            run_row(
                step,
                step.get("inputs") or {},
                ctx.modules,
                attempt=attempt,
                status=RunStatus.DEAD_LETTERED,
                error=error,
            )
        )
    return rows


async def _fail_if_stuck(
    conn: asyncpg.Connection,
    execution: asyncpg.Record | dict[str, Any],
    latest: dict[str, asyncpg.Record],
    created: list[asyncpg.Record],
) -> asyncpg.Record | None:
    """FAILED again when a step is still dead-lettered and nothing else can move (the
    row back: the execution, when this freed its concurrency slot).

    An execution with several dead letters (parallel branches) is reopened by the
    requeue of one of them; advance never re-creates a dead-lettered step, so once
    the requeued branch is done the others' open dead letters are all that is left:
    the execution is FAILED until they are requeued too (or discarded: then it stays
    FAILED). It completes only when every step succeeded.
    """
    if any(r["status"] in IN_FLIGHT for r in created):
        return None
    if any(r["status"] in IN_FLIGHT for r in latest.values()):
        return None
    stuck = sorted(k for k, r in latest.items() if r["status"] == RunStatus.DEAD_LETTERED)
    if not stuck:
        return None
    names = ", ".join(repr(k) for k in stuck)
    return await conn.fetchrow(
        q("execution_fail"),
        execution["id"],
        {"message": f"step(s) {names} still dead-lettered", "stepKeys": stuck},
    )
