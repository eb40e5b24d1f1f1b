"""Run one step again (a dead-letter requeue), without repeating a side effect.

Within an execution, a step whose idempotency key already succeeded reuses that
output: the new run is SUCCEEDED at once and the module is not called again.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.context import EngineContext
from custom.executions.runs import insert_runs, run_row
from custom.executions.signal_delivery import deliver_signals
from custom.idempotency import run_idempotency_key
from custom.sql import q
from generated.constants import ExecutionStatus, RunStatus


async def replay_step(
    conn: asyncpg.Connection,
    execution: asyncpg.Record | dict[str, Any],
    step: dict[str, Any],
    inputs: Any,
    *,
    ctx: EngineContext,
) -> asyncpg.Record:
    """A fresh attempt at `step` with `inputs`, in the caller's transaction.

    The caller holds the execution lock and has put the execution back to RUNNING.
    """
    execution_id = execution["id"]
    attempt = await conn.fetchval(q("run_latest_attempt"), execution_id, step["key"]) + 1
    key = run_idempotency_key(inputs, step.get("config") or {})
    earlier = await conn.fetch(q("run_succeeded_with_key"), execution_id, step["key"], key)
    if earlier:
        row = run_row(
            step,
            inputs,
            ctx.modules,
            attempt=attempt,
            status=RunStatus.SUCCEEDED,
            output=earlier[0]["output"],
        )
    else:
        row = run_row(step, inputs, ctx.modules, attempt=attempt)
    held = execution["status"] == ExecutionStatus.PAUSED
    created = (await insert_runs(conn, execution_id, [row], held=held))[0]
    if earlier or (
        created["status"] == RunStatus.WAITING and await deliver_signals(conn, execution_id)
    ):
        await advance(conn, execution, ctx=ctx)
    return created
