"""Reclaim runs whose runner's lease expired; time out waits whose signal never came.

Every service process runs a reaper; they may overlap freely. Each expired run is
re-checked under its execution's lock (reap_run), so exactly one reaper turns it
into a new PENDING attempt (or a dead letter when attempts are used up), and only
that one counts the reclaim.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable

import asyncpg

from custom.db.faults import OutageLog, is_transient
from custom.executions.advance import release_slot, sweep_waiting
from custom.executions.context import EngineContext, standalone_context
from custom.executions.dead_letters import LEASE_EXPIRED, quarantine
from custom.executions.purge import purge_finished_before, retention_cutoff
from custom.executions.signals import expire_waits
from custom.leases.finish import schedule_retry
from custom.observability.metrics import EngineMetrics
from custom.sql import q
from generated.constants import ExecutionStatus, RunStatus

log = logging.getLogger(__name__)


# a runner whose lease lapsed this long ago (and holds nothing) is forgotten
FORGET_RUNNER_AFTER_SECONDS = 3600.0
# the aging pass runs this many times per aging interval: a run rises at most this late
# (its cost grows with the ready backlog, so not on every reaper pass)
AGING_PASSES_PER_INTERVAL = 10


async def reap_once(
    pool: asyncpg.Pool,
    *,
    now: datetime.datetime | None = None,
    batch: int = 500,
    metrics: EngineMetrics | None = None,
    ctx: EngineContext | None = None,
    aging_seconds: float = 0.0,
) -> int:
    """One pass; returns how many runs this reaper reclaimed (counted in `metrics`).
    Also ages the priority of runs ready longer than `aging_seconds` (0: never) and
    admits executions waiting for a concurrency slot nobody admitted."""
    ctx = ctx or standalone_context()
    candidates = await pool.fetch(q("reap_candidates"), now, batch)
    by_execution: dict[object, list[asyncpg.Record]] = defaultdict(list)
    for c in candidates:
        by_execution[c["execution_id"]].append(c)
    reclaimed = 0
    for execution_id, runs in by_execution.items():
        async with pool.acquire() as conn, conn.transaction():
            execution = await conn.fetchrow(q("execution_lock"), execution_id)
            if execution is None:
                continue
            here = 0
            for c in runs:
                run = await conn.fetchrow(q("reap_run"), c["id"], c["lease_token"], now)
                if run is None:
                    continue  # another reaper, or a heartbeat, got there first
                here += 1
                if run["status"] == RunStatus.DEAD_LETTERED:
                    quarantined = await quarantine(conn, run, LEASE_EXPIRED, run["error"])
                    await release_slot(conn, quarantined.freed, ctx=ctx)
                elif execution["status"] in (ExecutionStatus.RUNNING, ExecutionStatus.PAUSED):
                    await schedule_retry(conn, execution, run, delay=0.0, now=now)
            if here:
                await conn.execute(q("counter_add"), "leases_reclaimed", here)
                reclaimed += here
    if reclaimed:
        if metrics is not None:
            metrics.count_lease_reclaimed(reclaimed)
        log.warning("reaper reclaimed %d run(s) with expired leases", reclaimed)
    expired = await expire_waits(pool, now=now, batch=batch)
    if expired:
        log.warning("reaper dead-lettered %d wait(s) whose signal never came", expired)
    clock = now if now is not None else ctx.clock.db_now()
    if aging_seconds > 0:
        await pool.fetch(q("runs_age_priority"), clock, aging_seconds, batch)
    admitted = await sweep_waiting(pool, ctx=ctx, batch=batch)
    if admitted:
        log.info("reaper admitted %d execution(s) waiting for a concurrency slot", admitted)
    gone = await pool.fetch(q("runner_leases_prune"), now, FORGET_RUNNER_AFTER_SECONDS)
    if gone:
        log.info("forgot %d runner(s) gone for good", len(gone))
    return reclaimed


class Reaper:
    """Runs reap_once every `interval` seconds (with jitter) until stopped, and, with
    `retention_days` > 0, a retention pass every `retention_interval` seconds: the
    executions finished more than `retention_days` ago are deleted (purge.py)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        interval: float,
        *,
        retention_days: float = 0.0,
        retention_interval: float = 60.0,
        metrics: EngineMetrics | None = None,
        ctx: EngineContext | None = None,
        aging_seconds: float = 0.0,
    ) -> None:
        self.pool = pool
        self.ctx = ctx or standalone_context()
        self.aging_seconds = aging_seconds
        self._aged_at = float("-inf")  # monotonic time of the last aging pass
        self.interval = interval
        self.metrics = metrics
        self.retention_days = retention_days
        self.retention_interval = retention_interval
        self._tasks: list[asyncio.Task[None]] = []
        self._outage = OutageLog(log, "reaper")
        self._retention_outage = OutageLog(log, "retention")

    def start(self) -> None:
        self._tasks.append(
            asyncio.create_task(
                self._repeat(self._reap, self.interval, self._outage, "reaper"),
                name="valkyr-reaper",
            )
        )
        if self.retention_days > 0:
            self._tasks.append(
                asyncio.create_task(
                    self._repeat(
                        self._purge, self.retention_interval, self._retention_outage, "retention"
                    ),
                    name="valkyr-retention",
                )
            )

    async def _reap(self) -> None:
        await reap_once(
            self.pool, metrics=self.metrics, ctx=self.ctx, aging_seconds=self._aging_due()
        )

    def _aging_due(self) -> float:
        """The aging interval when an aging pass is due now, else 0 (no pass)."""
        if self.aging_seconds <= 0:
            return 0.0
        now = self.ctx.clock.monotonic()
        if now - self._aged_at < self.aging_seconds / AGING_PASSES_PER_INTERVAL:
            return 0.0
        self._aged_at = now
        return self.aging_seconds

    async def _purge(self) -> None:
        before = retention_cutoff(self.retention_days)
        purged = await purge_finished_before(self.pool, before)
        if purged.executions:
            log.info("retention: deleted %s (finished before %s)", purged, before)

    @staticmethod
    async def _repeat(
        work: Callable[[], Awaitable[None]], interval: float, outage: OutageLog, what: str
    ) -> None:
        """`work` every `interval` seconds (with jitter); an outage is said once each way."""
        while True:
            try:
                await work()
                outage.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    outage.failed(exc)
                else:
                    log.exception("%s pass failed; trying again next interval", what)
            await asyncio.sleep(interval * random.uniform(0.8, 1.2))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
