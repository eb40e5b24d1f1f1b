"""Waking runners when runs become ready: at once in this process, throttled elsewhere.

A NOTIFY makes its commit take PostgreSQL's global notify lock, so notifying commits
queue behind each other (measured in bench/results): one NOTIFY per
submitted execution made that queue the ceiling of the submit rate. Instead:

- runner pools of this process are woken directly, after the commit (free, no delay);
- runners of other processes get at most one NOTIFY per `cooldown` from this process:
  the first submit after a quiet period carries it in its own statement; submits
  inside the cooldown do not, and one trailing NOTIFY is sent when it ends, after
  their commits. An idle runner elsewhere therefore hears of new work within
  `cooldown` (busy runners claim again as soon as a claim returns rows).

One Wakeups belongs to one engine (custom/engine/services.py) and travels in its
EngineContext; without a pool attached (a caller with no engine: a CLI command, a
test) every caller notifies in its own statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from custom.clock import Clock, SystemClock
from custom.sql import q

log = logging.getLogger(__name__)


class Wakeups:
    def __init__(self, cooldown: float = 0.0, *, clock: Clock | None = None) -> None:
        self.cooldown = cooldown
        self.clock = clock or SystemClock()
        self._local: set[Callable[[], None]] = set()
        self._pool: asyncpg.Pool | None = None
        self._last = -float("inf")
        self._trailing: asyncio.Task[None] | None = None
        self._pending = False  # a commit without NOTIFY since the last one was sent

    def attach(self, pool: asyncpg.Pool, cooldown: float | None = None) -> None:
        """Send trailing NOTIFYs on `pool` (the engine's) from now on."""
        self._pool = pool
        if cooldown is not None:
            self.cooldown = cooldown

    async def detach(self) -> None:
        self._pool = None
        task, self._trailing = self._trailing, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def register(self, wake: Callable[[], None]) -> None:
        self._local.add(wake)

    def unregister(self, wake: Callable[[], None]) -> None:
        self._local.discard(wake)

    def notify_inline(self) -> bool:
        """Should the statement about to commit new ready runs carry the NOTIFY?"""
        now = self.clock.monotonic()
        if self._pool is None or now - self._last >= self.cooldown:
            self._last = now
            return True
        return False

    def wake_local(self) -> None:
        """Wake every waiter of this process (runner pools, REST long-polls)."""
        for wake in tuple(self._local):
            wake()

    def committed(self, *, notified: bool) -> None:
        """New ready runs were committed: wake this process's runners; when the commit
        carried no NOTIFY, make sure one follows for the runners of other processes."""
        self.wake_local()
        if notified or self._pool is None:
            return
        self._pending = True
        if self._trailing is None or self._trailing.done():
            self._trailing = asyncio.create_task(self._notify_later(), name="valkyr-notify")

    async def _notify_later(self) -> None:
        # a commit that lands while this NOTIFY is on its way sets _pending again and
        # gets one more round, so no commit is left without a NOTIFY after it
        while self._pending:
            await self.clock.sleep(max(self._last + self.cooldown - self.clock.monotonic(), 0.0))
            pool = self._pool
            if pool is None:
                return
            self._pending = False
            self._last = self.clock.monotonic()
            try:
                await pool.execute(q("runs_notify"))
            except Exception as exc:
                # runners of other processes still poll: they are late, not lost
                log.warning("trailing NOTIFY failed (%r); other runners poll for the runs", exc)
