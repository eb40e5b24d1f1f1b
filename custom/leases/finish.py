"""Fenced completion and failure of a run, and what follows in the same transaction.

Order of locks: the execution row first, then the run, and a circuit-breaker row
last. Every writer of runs (complete, fail, reaper, pause, cancel, requeue)
follows it, so none deadlocks. The breaker outcome is recorded in the
same transaction as the result it is based on, for in-process and REST runners alike.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import asyncpg

from custom.breakers.state import record_failure, record_success, release_trial
from custom.executions.advance import advance, release_slot
from custom.executions.context import EngineContext, standalone_context
from custom.executions.dead_letters import EXHAUSTED, PERMANENT, quarantine
from custom.executions.runs import insert_runs
from custom.leases.claim import LeaseLost, RunNotFound
from custom.observability.tracing import add_event
from custom.sql import q
from custom.workflows.retry import backoff_seconds
from generated.constants import ExecutionStatus, RunStatus

ENDED = (ExecutionStatus.CANCELLED, ExecutionStatus.COMPLETED)


async def _lock_execution(
    conn: asyncpg.Connection, run_id: uuid.UUID, execution_id: uuid.UUID | None
) -> asyncpg.Record:
    """Lock the run's execution: by its id when the caller knows it (the in-process
    runner has it from the claim), else found through the run (REST: by run id)."""
    if execution_id is not None:
        execution = await conn.fetchrow(q("execution_lock"), execution_id)
    else:
        execution = await conn.fetchrow(q("execution_lock_by_run"), run_id)
    if execution is None:
        raise RunNotFound(f"Run {run_id} does not exist")
    return execution


def _check_owner(run: asyncpg.Record, execution: asyncpg.Record) -> None:
    """The execution locked first must be the run's own (else lock order is broken)."""
    if run["execution_id"] != execution["id"]:
        raise ValueError(
            f"Run {run['id']} belongs to execution {run['execution_id']}, not {execution['id']}"
        )


async def _finish(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    runner_id: str,
    token: int,
    status: str,
    output: Any,
    error: Any,
    started_at: datetime.datetime | None,
    now: datetime.datetime | None,
    execution: asyncpg.Record,
    secret_hash: bytes | None = None,
) -> asyncpg.Record:
    run = await conn.fetchrow(
        q("run_finish"),
        run_id,
        runner_id,
        token,
        status,
        output,
        error,
        started_at,
        now,
        secret_hash,
    )
    if run is None:
        raise LeaseLost.of(run_id, runner_id, token)
    _check_owner(run, execution)
    return run


async def complete_run(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    runner_id: str,
    token: int,
    output: Any,
    *,
    started_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    execution_id: uuid.UUID | None = None,
    secret_hash: bytes | None = None,
    ctx: EngineContext | None = None,
) -> asyncpg.Record:
    """`execution_id`: the run's execution when the caller knows it (locked by id);
    `secret_hash`: a REST runner's lease secret, hashed (custom.leases.tokens)."""
    async with conn.transaction():
        execution = await _lock_execution(conn, run_id, execution_id)
        run = await _finish(
            conn,
            run_id,
            runner_id,
            token,
            RunStatus.SUCCEEDED,
            output,
            None,
            started_at,
            now,
            execution,
            secret_hash,
        )
        await advance(conn, execution, ctx=ctx or standalone_context())
        await record_success(conn, run)
        return run


async def cancel_finished_run(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    runner_id: str,
    token: int,
    *,
    started_at: datetime.datetime | None = None,
    execution_id: uuid.UUID | None = None,
) -> asyncpg.Record:
    """A runner stopped a run because its execution was cancelled."""
    async with conn.transaction():
        execution = await _lock_execution(conn, run_id, execution_id)
        run = await _finish(
            conn,
            run_id,
            runner_id,
            token,
            RunStatus.CANCELLED,
            None,
            {"message": "cancelled", "type": "cancelled"},
            started_at,
            None,
            execution,
        )
        await release_trial(conn, run)
        return run


async def fail_run(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    runner_id: str,
    token: int,
    error: dict[str, Any],
    *,
    retryable: bool,
    started_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    execution_id: uuid.UUID | None = None,
    secret_hash: bytes | None = None,
    ctx: EngineContext | None = None,
) -> asyncpg.Record:
    """Retry with backoff while attempts remain, else quarantine in the dead-letter queue.

    A run of a CANCELLED (or already COMPLETED) execution gets no retry and no dead
    letter: nothing new is dispatched for an execution that is over. A run that was
    asked to stop (cancelRequested) and then reports a failure, as a REST runner
    does, ends CANCELLED; otherwise FAILED.
    """
    async with conn.transaction():
        execution = await _lock_execution(conn, run_id, execution_id)
        current = await conn.fetchrow(q("run_attempts"), run_id)
        if current is None:
            raise RunNotFound(f"Run {run_id} does not exist")
        over = execution["status"] in ENDED
        retry = not over and retryable and current["attempt"] < current["max_attempts"]
        if over:
            status = RunStatus.CANCELLED if current["cancel_requested"] else RunStatus.FAILED
        else:
            status = RunStatus.FAILED if retry else RunStatus.DEAD_LETTERED
        run = await _finish(
            conn,
            run_id,
            runner_id,
            token,
            status,
            None,
            error,
            started_at,
            now,
            execution,
            secret_hash,
        )
        if retry:
            nxt = await schedule_retry(conn, execution, run, now=now)
            add_event(
                "retry",
                {
                    "run.attempt": run["attempt"],
                    "next.run.id": str(nxt["id"]),
                    "error.message": (error or {}).get("message"),
                },
            )
        elif not over:
            reason = PERMANENT if not retryable else EXHAUSTED
            quarantined = await quarantine(conn, run, reason, error)
            await release_slot(conn, quarantined.freed, ctx=ctx or standalone_context())
        if status == RunStatus.CANCELLED or not retryable:
            # a cooperative stop, or a permanent error (an http 4xx: the dependency
            # answered), says nothing against the dependency: no verdict, slot given back
            await release_trial(conn, run)
        else:
            await record_failure(conn, run, error)
        return run


async def schedule_retry(
    conn: asyncpg.Connection,
    execution: asyncpg.Record,
    run: asyncpg.Record,
    *,
    delay: float | None = None,
    now: datetime.datetime | None = None,
) -> asyncpg.Record:
    """The next attempt of `run`, available after the step's backoff (or `delay`)."""
    if delay is None:
        delay = backoff_seconds(run["retry"] or {}, run["attempt"])
    row = {
        "step_key": run["step_key"],
        "module": run["module"],
        "attempt": run["attempt"] + 1,
        "status": RunStatus.PENDING,
        "inputs": run["inputs"],
        "config": run["config"],
        "output": None,
        "error": None,
        "idempotency_key": run["idempotency_key"],
        "max_attempts": run["max_attempts"],
        "retry": run["retry"],
        "timeout_seconds": run["timeout_seconds"],
        "breaker_key": run["breaker_key"],
        "rate_limit_key": run["rate_limit_key"],
        "delay": delay,
    }
    held = execution["status"] == ExecutionStatus.PAUSED
    created = await insert_runs(conn, run["execution_id"], [row], held=held, now=now)
    return created[0]
