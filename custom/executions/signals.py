"""Signals: what completes a `wait` step (approvals, external events).

A wait step's run is created WAITING (custom/executions/runs.py): no runner ever
sees it (claims take PENDING runs only), it holds no lease nor slot, and its
available_at is its deadline. A signal (`send_signal`) is kept in `signals` and,
under the execution's lock, paired with the oldest WAITING run of that name
(custom/executions/signal_delivery.py): the run SUCCEEDS with the payload as output
and the execution advances. A signal sent before its wait is reached stays kept;
advance delivers it when the wait's run is created. The reaper dead-letters waits
whose deadline passed (`expire_waits`).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.context import EngineContext, standalone_context
from custom.executions.control import ExecutionNotFound
from custom.executions.dead_letters import quarantine
from custom.executions.signal_delivery import deliver_signals
from custom.sql import q
from custom.workflows.waits import wait_timeout_seconds
from generated.constants import DeadLetterReason, ExecutionStatus

SIGNAL_TIMEOUT = DeadLetterReason.SIGNAL_TIMEOUT
# a signal to an execution in one of these is refused (409): nothing would consume it
SIGNALLABLE = (ExecutionStatus.PENDING, ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)


class ExecutionFinished(Exception):
    """The execution is COMPLETED, FAILED or CANCELLED: no wait of it can take a signal (409)."""


class SignalKeyConflict(Exception):
    """An Idempotency-Key reused with a different name or payload (422)."""


@dataclass
class Sent:
    signal: asyncpg.Record
    created: bool  # False: a repeat of the signal first sent with this Idempotency-Key


async def send_signal(
    conn: asyncpg.Connection,
    execution_id: uuid.UUID,
    name: str,
    payload: Any,
    *,
    idempotency_key: str | None = None,
    sent_by: str | None = None,
    ctx: EngineContext | None = None,
) -> Sent:
    """Keep the signal and hand it to the oldest wait on `name`, if one is parked."""
    async with conn.transaction():
        execution = await conn.fetchrow(q("execution_lock"), execution_id)
        if execution is None:
            raise ExecutionNotFound(f"WorkflowExecution {execution_id} does not exist")
        if idempotency_key is not None:
            earlier = await conn.fetchrow(
                q("signal_by_idempotency_key"), execution_id, idempotency_key
            )
            if earlier is not None:  # the lock serialises repeats: no race to the index
                _check_same(earlier, name, payload, idempotency_key)
                return Sent(earlier, False)
        if execution["status"] not in SIGNALLABLE:
            raise ExecutionFinished(
                f"cannot signal execution {execution_id}: it is {execution['status']} "
                f"(only {' or '.join(SIGNALLABLE)} executions take signals)"
            )
        signal = await conn.fetchrow(
            q("signal_insert"), execution_id, name, payload, idempotency_key, sent_by
        )
        if await deliver_signals(conn, execution_id):
            await advance(conn, execution, ctx=ctx or standalone_context())
            signal = await conn.fetchrow(q("signal_get"), signal["id"])
        return Sent(signal, True)


def _check_same(earlier: asyncpg.Record, name: str, payload: Any, key: str) -> None:
    if earlier["name"] != name or earlier["payload"] != payload:
        raise SignalKeyConflict(
            f"Idempotency-Key {key!r} was already used for signal {earlier['id']} "
            f"({earlier['name']!r}) with a different name or payload"
        )


async def expire_waits(
    pool: asyncpg.Pool,
    *,
    now: datetime.datetime | None = None,
    batch: int = 500,
) -> int:
    """Dead-letter the waits whose deadline passed (reason signal_timeout); how many
    this caller expired. Safe to run in every process at once: each wait is
    re-checked under its execution's lock."""
    due = await pool.fetch(q("waits_expired"), now, batch)
    by_execution: dict[uuid.UUID, list[asyncpg.Record]] = defaultdict(list)
    for run in due:
        by_execution[run["execution_id"]].append(run)
    expired = 0
    for execution_id, runs in by_execution.items():
        async with pool.acquire() as conn, conn.transaction():
            if await conn.fetchrow(q("execution_lock"), execution_id) is None:
                continue
            for candidate in runs:
                error = _timeout_error(candidate["config"])
                run = await conn.fetchrow(q("wait_expire"), candidate["id"], now, error)
                if run is not None:
                    await quarantine(conn, run, SIGNAL_TIMEOUT, error)
                    expired += 1
    return expired


def _timeout_error(config: dict[str, Any]) -> dict[str, Any]:
    name, seconds = config.get("signal"), wait_timeout_seconds(config)
    return {
        "message": f"no signal {name!r} arrived within {seconds:g} s (wait timed out)",
        "type": "signal_timeout",
        "signal": name,
        "timeoutSeconds": seconds,
    }
