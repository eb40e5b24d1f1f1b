"""Time as the engine sees it: a clock object handed to whatever waits or measures.

The SQL already takes its clock as a parameter (`coalesce($now, now())`, River's
injectable clock); this is the Python side. `SystemClock` leaves the database's
`now()` in charge of timestamps (one clock for every process) and uses the
monotonic clock for intervals; `ManualClock` lets a test move time instead of
sleeping through it.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals, deadlines)."""
        ...

    def db_now(self) -> datetime.datetime | None:
        """The `now` to hand to SQL: None lets the database's now() decide."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        """Until `event` is set or `seconds` of this clock passed; whether it was set."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def db_now(self) -> datetime.datetime | None:
        return None

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True


class ManualClock:
    """Time moves only when a test says so; sleepers wake when it has moved enough."""

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self._t = 0.0
        self._start = start or datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
        self._moved = asyncio.Condition()

    def monotonic(self) -> float:
        return self._t

    def db_now(self) -> datetime.datetime | None:
        return self._start + datetime.timedelta(seconds=self._t)

    async def sleep(self, seconds: float) -> None:
        until = self._t + max(seconds, 0.0)
        async with self._moved:
            await self._moved.wait_for(lambda: self._t >= until)

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        waiter = asyncio.ensure_future(event.wait())
        timer = asyncio.ensure_future(self.sleep(seconds))
        try:
            await asyncio.wait([waiter, timer], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            timer.cancel()
        return event.is_set()

    async def advance(self, seconds: float) -> None:
        self._t += seconds
        async with self._moved:
            self._moved.notify_all()
        for _ in range(5):  # let the woken sleepers run up to their next await
            await asyncio.sleep(0)
