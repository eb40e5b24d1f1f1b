"""The scheduler loop of a service process: every interval (on the engine's clock,
so tests move time instead of sleeping) it fires the due schedules and releases
the delayed executions whose start has come. Every process runs one; they share
the work through the database (custom.schedules.firing), no leader."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from custom.db.faults import OutageLog, is_transient
from custom.executions.context import EngineContext
from custom.schedules.firing import fire_due

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, pool: asyncpg.Pool, ctx: EngineContext, interval: float) -> None:
        self.pool = pool
        self.ctx = ctx
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._outage = OutageLog(log, "scheduler")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="valkyr-scheduler")

    async def _run(self) -> None:
        while True:
            try:
                done = await fire_due(self.pool, self.ctx)
                self._outage.succeeded()
                if done.fired or done.skipped_old or done.skipped_overlap:
                    log.info(
                        "scheduler: %d fired, %d skipped (older than the catch-up window), "
                        "%d skipped (overlap)",
                        len(done.fired),
                        done.skipped_old,
                        done.skipped_overlap,
                    )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    self._outage.failed(exc)
                else:
                    log.exception("scheduler pass failed; trying again next interval")
            await self.ctx.clock.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
