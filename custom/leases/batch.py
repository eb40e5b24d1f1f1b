"""Group commit of successful runs: many completions of one runner in one transaction.

The same rules as complete_run (custom/leases/finish.py): executions locked first
(in id order, so concurrent batches cannot deadlock), fenced on owner + token + live
lease, then each execution advanced once; one NOTIFY for the whole batch at most,
and this engine's runners woken after the commit. With a HandOff, the completing
runner leases the next runs it created itself in the same transaction (run_handoff):
only the ready runs it leaves behind need a NOTIFY and a claim.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from custom.breakers.state import record_success
from custom.executions.advance import advance, release_slot
from custom.executions.context import EngineContext
from custom.observability import tracing
from custom.sql import q
from generated.constants import RunStatus


@dataclass(frozen=True)
class Completion:
    """One successful run to report: what complete_run takes, for a batch."""

    run_id: uuid.UUID
    execution_id: uuid.UUID
    token: int
    output: Any
    started_at: datetime.datetime | None = None
    # the run's trace span: breaker events of the batch land on it, not on the
    # completer's own context
    span: Any = None


@dataclass(frozen=True)
class HandOff:
    """What the completing runner can take over in the completion's transaction."""

    modules: list[str]  # the modules it runs
    limit: int  # its free slots
    lease_seconds: float


@dataclass
class Completed:
    """The runs a batch finished (a missing one had lost its lease) and those it
    handed off to the completing runner (leased to it, to be started at once)."""

    finished: dict[uuid.UUID, asyncpg.Record]
    handed_off: list[asyncpg.Record] = field(default_factory=list)


async def complete_runs(
    conn: asyncpg.Connection,
    runner_id: str,
    items: list[Completion],
    ctx: EngineContext,
    hand_off: HandOff | None = None,
) -> Completed:
    """Complete many runs of one runner in one transaction (group commit).

    Same rules as complete_run: executions locked first (in id order), fenced on
    owner + token + live lease, then each execution advanced once; with `hand_off`,
    the next runs created are leased to `runner_id` as far as it has room.
    """
    handed: list[asyncpg.Record] = []
    async with conn.transaction():
        executions = await conn.fetch(
            q("executions_lock_many"), sorted({i.execution_id for i in items})
        )
        finished = await conn.fetch(
            q("runs_complete_many"),
            runner_id,
            [
                {
                    "id": str(i.run_id),
                    "execution_id": str(i.execution_id),
                    "token": i.token,
                    "output": i.output,
                    "started_at": i.started_at.isoformat() if i.started_at else None,
                }
                for i in items
            ],
        )
        by_id = {e["id"]: e for e in executions}
        touched = sorted({r["execution_id"] for r in finished})
        latest: dict[uuid.UUID, list[asyncpg.Record]] = {e: [] for e in touched}
        for row in await conn.fetch(q("executions_runs_latest_many"), touched):
            latest[row["execution_id"]].append(row)
        completed: list[dict[str, Any]] = []
        ready = False
        created: list[uuid.UUID] = []  # the ready runs this batch created
        for execution_id in touched:
            outcome = await advance(
                conn,
                by_id[execution_id],
                ctx=ctx,
                latest_runs=latest[execution_id],
                completed=completed,
                notify=False,
            )
            if outcome.ready:
                ready = True
                created += [c["id"] for c in outcome.created if c["status"] == RunStatus.PENDING]
        if ready and hand_off is not None and hand_off.limit > 0:
            handed = await conn.fetch(
                q("run_handoff"),
                runner_id,
                hand_off.modules,
                hand_off.limit,
                None,  # the database's clock, as the runner's claims (claim_runs) use
                float(hand_off.lease_seconds),
                created,
            )
            # every ready run is taken: nobody else needs waking
            ready = len(handed) < len(created)
        notified = ready and ctx.wakeups.notify_inline()
        if notified:  # one NOTIFY for the batch, not one per execution that moved on
            await conn.execute(q("runs_notify"))
        if completed:
            freed = await conn.fetch(
                q("executions_complete_many"), completed, [c["id"] for c in completed]
            )
            # (workflow, key) locks in one order: two batches freeing the same keys
            # wait for each other instead of deadlocking
            for execution in sorted(freed, key=_slot_order):
                await release_slot(conn, execution, ctx=ctx)
        # breaker rows are the last locks, taken in key order
        spans = {i.run_id: i.span for i in items}
        for run in sorted(finished, key=lambda r: r["breaker_key"] or ""):
            with tracing.on_span(spans.get(run["id"])):
                await record_success(conn, run)
    if ready:  # next steps are committed: this process's runners claim them now
        ctx.wakeups.committed(notified=notified)
    return Completed({r["id"]: r for r in finished}, handed)


def _slot_order(execution: asyncpg.Record) -> tuple[str, str]:
    return str(execution["workflow_id"]), execution["concurrency_key"] or ""
