"""The engine's clock is an object: tests move time instead of sleeping through it."""

from __future__ import annotations

import asyncio
import datetime
import logging
import socket
import time
import uuid

import asyncpg
import pytest

from custom.clock import ManualClock
from custom.db.faults import OutageLog
from custom.executions.context import EngineContext
from custom.executions.wakeups import Wakeups
from custom.modules.outcome import Outcome
from custom.runner.completer import Completer
from custom.runner.reporting import LOST, Reporter
from tests.engine_support import wait_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


async def test_the_trailing_notify_waits_for_the_cooldown_of_the_engines_clock(
    db: asyncpg.Pool, db_url: str
) -> None:
    clock = ManualClock()
    wakeups = Wakeups(cooldown=60.0, clock=clock)  # a minute, passed in no time
    wakeups.attach(db)
    heard: list[float] = []
    listener = await asyncpg.connect(db_url)
    await listener.add_listener("valkyr_runs", lambda *_: heard.append(time.monotonic()))
    try:
        assert wakeups.notify_inline()  # the first commit carries its own NOTIFY
        wakeups.committed(notified=True)
        assert not wakeups.notify_inline()  # inside the cooldown: none inline...
        wakeups.committed(notified=False)  # ... but one will follow
        await asyncio.sleep(0.3)
        assert heard == []  # real time passed; the engine's clock did not
        await clock.advance(59.0)
        await asyncio.sleep(0.1)
        assert heard == []
        await clock.advance(1.0)
        await wait_for(lambda: _at_least(heard, 1), 5, 0.01)
        assert not wakeups.notify_inline()  # the trailing one started a cooldown too
        await clock.advance(60.0)
        assert wakeups.notify_inline()  # a cooldown after it: inline again
    finally:
        await wakeups.detach()
        await listener.close()


async def _at_least(values: list[float], n: int) -> bool:
    return len(values) >= n


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once this socket is closed


async def test_a_report_is_retried_until_the_runners_lease_runs_out_then_dropped() -> None:
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    unreachable = await asyncpg.create_pool(
        f"postgresql://postgres@127.0.0.1:{_closed_port()}/postgres", min_size=0, max_size=1
    )
    lease_ends = clock.monotonic() + 120.0
    reporter = Reporter(
        unreachable,
        "@r",
        Completer(unreachable, "@r", ctx, timeout=1.0),
        lambda: lease_ends,
        OutageLog(logging.getLogger("test"), "test"),
        ctx,
    )
    row = {"id": uuid.uuid4(), "execution_id": uuid.uuid4(), "lease_token": 7}
    outcome = Outcome("failure", error={"message": "boom", "type": "transient"}, retryable=True)
    try:
        delivering = asyncio.ensure_future(
            reporter.deliver(row, outcome, datetime.datetime.now(datetime.UTC))
        )
        await wait_for(lambda: _retried(ctx), 5, 0.01)
        for _ in range(5):  # two minutes of backoff, in no time: still trying
            await clock.advance(20.0)
            await asyncio.sleep(0.02)
        assert not delivering.done()
        assert ctx.metrics.results_dropped._value.get() == 0
        await clock.advance(30.0)  # past the lease: somebody else may hold the run now
        assert await asyncio.wait_for(delivering, 5) == LOST
        assert ctx.metrics.results_dropped._value.get() == 1
    finally:
        await unreachable.close()


async def _retried(ctx: EngineContext) -> bool:
    return ctx.metrics.reports_retried._value.get() > 0
