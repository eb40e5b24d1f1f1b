"""Firing schedules and releasing delayed starts, in any number of service processes.

A firing happens in one transaction: the schedule row is claimed (FOR UPDATE SKIP
LOCKED), the execution is started with the idempotency key
`schedule:<id>:<fire time>` and next_fire_at moves past it. Two schedulers never
hold the same schedule at once, and a scheduler that dies before its commit leaves
nothing behind: the next one fires the same moment, once. Should next_fire_at ever
be stale, the key still makes a second start of the same moment a duplicate.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from custom.executions.advance import advance
from custom.executions.context import EngineContext
from custom.executions.start import IdempotencyConflict, Plan, Started, start_execution
from custom.schedules.cron import next_cron_fire, next_interval_fire, parse_cron, zone
from custom.sql import q
from generated.constants import ScheduleOverlap

log = logging.getLogger(__name__)

# due firings one schedule fires in one transaction; more wait for the next claim
FIRINGS_PER_CLAIM = 100
# schedules one pass fires at most (a schedule that keeps failing cannot spin a pass)
SCHEDULES_PER_PASS = 200
# delayed executions one statement releases
RELEASE_BATCH = 200
MICROSECOND = datetime.timedelta(microseconds=1)


def next_fire(schedule: Mapping[str, Any], after: datetime.datetime) -> datetime.datetime | None:
    """The schedule's first firing strictly after `after` (None: its cron never fires)."""
    if schedule["interval_seconds"] is not None:
        return next_interval_fire(schedule["interval_seconds"], after)
    return next_cron_fire(parse_cron(schedule["cron"]), zone(schedule["timezone"]), after)


def idempotency_key(schedule_id: uuid.UUID, fire_time: datetime.datetime) -> str:
    stamp = fire_time.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return f"schedule:{schedule_id}:{stamp.replace('+00:00', 'Z')}"


@dataclass
class Pass:
    """What one scheduler pass did."""

    fired: list[Started] = field(default_factory=list)
    skipped_old: int = 0  # missed firings older than the catch-up window
    skipped_overlap: int = 0  # firings while the previous execution ran (overlap SKIP)
    released: int = 0  # delayed executions that started


async def clock_now(conn: asyncpg.Connection, ctx: EngineContext) -> datetime.datetime:
    now: datetime.datetime = await conn.fetchval(q("clock_now"), ctx.clock.db_now())
    return now


async def fire_due(pool: asyncpg.Pool, ctx: EngineContext) -> Pass:
    """Every due schedule fired (one transaction each), then the delayed executions
    whose start has come released."""
    done = Pass()
    for _ in range(SCHEDULES_PER_PASS):
        async with pool.acquire() as conn, conn.transaction():
            now = await clock_now(conn, ctx)
            schedule = await conn.fetchrow(q("schedule_claim_due"), now)
            if schedule is None:
                break
            await _fire_claimed(conn, schedule, now, ctx, done)
    while (released := await release_due(pool, ctx)) > 0:
        done.released += released
        if released < RELEASE_BATCH:
            break
    return done


async def _fire_claimed(
    conn: asyncpg.Connection,
    schedule: asyncpg.Record,
    now: datetime.datetime,
    ctx: EngineContext,
    done: Pass,
) -> None:
    """The claimed schedule's due firings: within the catch-up window each once, the
    older ones skipped; then next_fire_at past them, in the caller's transaction."""
    oldest = now - datetime.timedelta(seconds=schedule["catchup_window_seconds"])
    moment: datetime.datetime | None = schedule["next_fire_at"]
    if moment is not None and moment < oldest:
        done.skipped_old += 1  # one or more: only the first is known without counting
        moment = next_fire(schedule, oldest - MICROSECOND)
    last_fired = None
    for _ in range(FIRINGS_PER_CLAIM):
        if moment is None or moment > now:
            break
        if await _fire_once(conn, schedule, moment, now, ctx, done):
            last_fired = moment
        moment = next_fire(schedule, moment)
    await conn.execute(q("schedule_fired"), schedule["id"], moment, last_fired)


async def _fire_once(
    conn: asyncpg.Connection,
    schedule: asyncpg.Record,
    moment: datetime.datetime,
    now: datetime.datetime,
    ctx: EngineContext,
    done: Pass,
) -> bool:
    """Start the execution of one firing; False when overlap SKIP skipped it."""
    if schedule["overlap"] == ScheduleOverlap.SKIP and await conn.fetchval(
        q("schedule_running"), schedule["id"]
    ):
        done.skipped_overlap += 1
        return False
    started = await start_scheduled(conn, schedule, moment, now, ctx)
    if started is not None:
        done.fired.append(started)
    return True


async def start_scheduled(
    conn: asyncpg.Connection,
    schedule: Mapping[str, Any],
    moment: datetime.datetime,
    now: datetime.datetime | None,
    ctx: EngineContext,
) -> Started | None:
    """The execution of the firing at `moment` (a duplicate when that moment already
    fired); None when the key was used for other content (the workflow changed
    version since that firing: the moment fired all the same)."""
    try:
        return await start_execution(
            conn,
            schedule["workflow_id"],
            schedule["inputs"] or {},
            idempotency_key=idempotency_key(schedule["id"], moment),
            created_by=f"schedule:{schedule['id']}",
            ctx=ctx,
            plan=Plan(schedule_id=schedule["id"], now=now),
        )
    except IdempotencyConflict:
        log.info("schedule %s: the firing at %s had fired already", schedule["id"], moment)
        return None


async def release_due(pool: asyncpg.Pool, ctx: EngineContext) -> int:
    """Delayed executions whose start has come go RUNNING with their first runs,
    ready from startAt (dispatch latency counts from it, as from a backoff)."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(q("executions_release_due"), ctx.clock.db_now(), RELEASE_BATCH)
        for execution in rows:
            await advance(conn, execution, ctx=ctx, fresh=True, now=execution["start_at"])
    return len(rows)
