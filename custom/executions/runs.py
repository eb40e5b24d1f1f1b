"""Creating runs: one row per attempt at a step, inserted in one statement."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from custom.breakers.keys import breaker_key
from custom.idempotency import run_idempotency_key
from custom.modules.registry import Module
from custom.sql import q
from custom.workflows.waits import is_wait, wait_timeout_seconds
from generated.constants import RunStatus


def run_row(
    step: dict[str, Any],
    inputs: Any,
    modules: Mapping[str, Module],
    *,
    attempt: int = 1,
    delay: float = 0.0,
    status: str = RunStatus.PENDING,
    output: Any = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The row for one attempt at `step` with resolved `inputs` (see runs_insert);
    `modules` is the engine's registry (a module may declare the step's breaker).
    A new attempt at a `wait` step is parked: WAITING, its deadline as available_at."""
    config = step.get("config") or {}
    if is_wait(step) and status == RunStatus.PENDING:
        status, delay = RunStatus.WAITING, wait_timeout_seconds(config)
    retry = step.get("retry") or {}
    return {
        "step_key": step["key"],
        "module": step["module"],
        "attempt": attempt,
        "status": status,
        "inputs": inputs,
        "config": config,
        "output": output,
        "error": error,
        "idempotency_key": run_idempotency_key(inputs, config),
        "max_attempts": int(retry.get("maxAttempts", 3)),
        "retry": retry,
        "timeout_seconds": float(step.get("timeoutSeconds", 300)),
        "breaker_key": breaker_key(step, modules),
        "rate_limit_key": step.get("rateLimit"),
        "delay": delay,
    }


async def insert_runs(
    conn: asyncpg.Connection,
    execution_id: uuid.UUID,
    rows: list[dict[str, Any]],
    *,
    held: bool,
    now: Any = None,
    notify: bool = True,
) -> list[asyncpg.Record]:
    """Insert the rows; wake runners elsewhere when one of them is ready now.
    `notify=False`: the caller wakes them after its commit (custom.executions.wakeups)."""
    if not rows:
        return []
    created = await conn.fetch(q("runs_insert"), execution_id, held, rows, now)
    if notify and ready_now(rows, held):
        await conn.execute(q("runs_notify"))
    return created


def ready_now(rows: list[dict[str, Any]], held: bool) -> bool:
    """Whether one of these rows is a run a runner can claim at once."""
    return not held and any(r["status"] == RunStatus.PENDING and r["delay"] <= 0 for r in rows)
