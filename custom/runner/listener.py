"""The process's LISTEN connection, kept alive across database restarts and partitions.

One connection per process hears the NOTIFYs that say runs became ready and wakes
every waiter of the process (runner pools, REST long-polls). It is also the runner's
heartbeat connection: a heartbeat never waits for a pooled connection behind a burst
of completions.

A restart closes the connection (asyncpg's termination callback); a partition does
not, so an idle connection is probed every `keepalive_seconds`, and a caller whose
statement on it timed out aborts it (`reset`). Either way the loop reconnects with
backoff, and wakes everybody once it is back: NOTIFYs sent while nobody listened are
lost, and until then waiters poll (`connected` tells them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from custom.db.faults import backoff_delay, bounded, is_transient
from custom.db.urls import asyncpg_url
from generated.constants import NOTIFY_CHANNEL

log = logging.getLogger(__name__)
T = TypeVar("T")
CHANNEL = NOTIFY_CHANNEL  # the spec's x-engine.notifyChannel; custom/sql sends on it
CONNECT_TIMEOUT_SECONDS = 5.0


class Listener:
    def __init__(
        self,
        url: str,
        on_wake: Callable[[], None],
        *,
        keepalive_seconds: float = 5.0,
        channel: str = CHANNEL,
    ) -> None:
        self.url = asyncpg_url(url)
        self.on_wake = on_wake
        self.keepalive_seconds = keepalive_seconds
        self.channel = channel
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the connection
        self._last_used = 0.0
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._stopping = False
        self.reconnects = 0

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.is_closed()

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Start listening; waits up to `wait_seconds` for the first connection (the
        loop keeps trying after that: a process starts even while the database is away)."""
        self._task = asyncio.create_task(self._run(), name="valkyr-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._up.wait(), wait_seconds)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            conn.terminate()

    def reset(self) -> None:
        """Abort the connection (a statement on it timed out: the link is suspect)."""
        conn = self._conn
        if conn is not None:
            conn.terminate()

    async def run(
        self, call: Callable[[asyncpg.Connection], Awaitable[T]], seconds: float
    ) -> T | None:
        """`call` on the LISTEN connection, bounded by `seconds`; None when it is not
        connected (the caller uses the pool). A timeout aborts the connection."""
        conn = self._conn
        if conn is None or conn.is_closed():
            return None
        async with self._lock:
            self._last_used = time.monotonic()
            try:
                return await bounded(conn, call, seconds)
            except TimeoutError:
                log.warning("a statement on the LISTEN connection timed out; reconnecting")
                raise

    def _heard(self, *_args: object) -> None:
        self.on_wake()

    async def _connect(self) -> tuple[asyncpg.Connection, asyncio.Event]:
        conn = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT_SECONDS)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        try:
            await conn.add_listener(self.channel, self._heard)
        except BaseException:
            conn.terminate()
            raise
        return conn, lost

    async def _run(self) -> None:
        failures = 0
        down_since: float | None = None
        while not self._stopping:
            try:
                conn, lost = await self._connect()
            except Exception as exc:
                if down_since is None:  # once per outage, not once per attempt
                    log.warning(
                        "LISTEN connection unavailable (%s); polling until it is back",
                        exc if is_transient(exc) else repr(exc),
                    )
                    down_since = time.monotonic()
                failures += 1
                await asyncio.sleep(backoff_delay(failures, base=0.1, cap=2.0) + 0.05)
                continue
            self._conn = conn
            self._up.set()
            if down_since is not None:
                self.reconnects += 1
                log.warning("LISTEN connection back after %.1f s", time.monotonic() - down_since)
                self.on_wake()  # anything that became ready meanwhile was not announced
            failures, down_since = 0, None
            await self._watch(conn, lost)
            self._conn = None
            conn.terminate()
            down_since = time.monotonic()
            if not self._stopping:
                log.warning("LISTEN connection lost; polling until it is back")

    async def _watch(self, conn: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Until the connection is lost: probe it whenever it was idle a while."""
        while not self._stopping and not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.keepalive_seconds)
                return
            if time.monotonic() - self._last_used < self.keepalive_seconds:
                continue
            try:
                await self.run(lambda c: c.fetchval("SELECT 1"), min(self.keepalive_seconds, 2.0))
            except Exception:
                return
