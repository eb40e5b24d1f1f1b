"""The engine's background services in one process: LISTEN, runner pool, reaper and
scheduler, and the HTTP client its modules share."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import httpx

from custom.clock import SystemClock
from custom.executions.context import EngineContext
from custom.executions.definitions import Definitions
from custom.executions.wakeups import Wakeups
from custom.gc_tuning import tune_gc
from custom.modules.http import new_client
from custom.modules.registry import load_modules
from custom.observability.metrics import EngineMetrics
from custom.observability.tracing import trace_http_client
from custom.reaper.reaper import Reaper
from custom.runner.listener import Listener
from custom.runner.pool import RunnerPool
from custom.schedules.scheduler import Scheduler
from custom.settings import Settings


@dataclass
class Engine:
    context: EngineContext
    listener: Listener
    runner: RunnerPool | None
    reaper: Reaper | None
    poll_seconds: float
    http_client: httpx.AsyncClient | None = None
    scheduler: Scheduler | None = None

    @property
    def runner_id(self) -> str | None:
        return self.runner.runner_id if self.runner else None

    async def stop(self) -> None:
        if self.runner:
            await self.runner.stop()
        if self.reaper:
            await self.reaper.stop()
        if self.scheduler:
            await self.scheduler.stop()
        await self.listener.stop()
        await self.context.wakeups.detach()
        if self.http_client is not None:
            await self.http_client.aclose()


def engine_context(settings: Settings, pool: asyncpg.Pool) -> EngineContext:
    """Everything one engine's parts share, made for this engine only."""
    clock = SystemClock()
    wakeups = Wakeups(settings.notify_cooldown_seconds, clock=clock)
    # submits of this engine wake its waiters directly and notify the others throttled
    wakeups.attach(pool)
    return EngineContext(
        modules=load_modules(),
        definitions=Definitions(),
        clock=clock,
        metrics=EngineMetrics(),
        wakeups=wakeups,
    )


async def start_engine(settings: Settings, url: str, pool: asyncpg.Pool, *, runners: int) -> Engine:
    ctx = engine_context(settings, pool)
    wakeups = ctx.wakeups
    # NOTIFYs of other processes reach this engine's waiters through the Listener
    # a pooled connection that died with the server fails its next statement once (a
    # transient error: retried) and is replaced; expire_connections() is not used: it
    # closes the old ones in fire-and-forget tasks that log a BrokenPipeError each
    listener = Listener(url, wakeups.wake_local)
    await listener.start()
    runner = None
    http_client = None
    if runners > 0:
        # one client for every run of this process: connections to a service are reused
        http_client = trace_http_client(new_client())
        runner = RunnerPool(
            pool,
            ctx,
            slots=runners,
            runner_id=settings.runner_id,
            lease_seconds=settings.lease_seconds,
            heartbeat_seconds=settings.heartbeat_seconds,
            poll_seconds=settings.poll_seconds,
            claim_batch=settings.claim_batch,
            listener=listener,
            shutdown_grace_seconds=settings.shutdown_grace_seconds,
            hand_off=settings.hand_off,
            http_client=http_client,
        )
        await runner.start()
    reaper = None
    if settings.reaper_interval_seconds > 0:
        reaper = Reaper(
            pool,
            settings.reaper_interval_seconds,
            retention_days=settings.retention_days,
            retention_interval=settings.retention_interval_seconds,
            metrics=ctx.metrics,
            ctx=ctx,
            aging_seconds=settings.priority_aging_seconds,
        )
        reaper.start()
    scheduler = None
    if settings.scheduler_interval_seconds > 0:
        scheduler = Scheduler(pool, ctx, settings.scheduler_interval_seconds)
        scheduler.start()
    tune_gc()  # whatever started the engine (service, `valkyr runner`, bench) runs long
    return Engine(ctx, listener, runner, reaper, settings.poll_seconds, http_client, scheduler)
