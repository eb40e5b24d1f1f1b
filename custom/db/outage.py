"""A database outage, as the API sees it: which errors mean "unreachable", and one log
line when it starts and one when it ends, however many requests fail in between.

While PostgreSQL is unreachable (stopped, restarting, failing over, out of
connection slots) every API call that needs it answers 503 with Retry-After
(custom.app.errors); nothing is logged per request. The first such failure logs
the outage and starts a probe (`SELECT 1` every second) that logs its end and
drops the CRUD engine's pooled connections, which died with the server (asyncpg's
pool replaces dead connections by itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg

log = logging.getLogger(__name__)

# SQLSTATEs of "the server is not there for us now", not of a bad request: connection
# exceptions (08), shutdown / restart / recovery (57P01-57P03), no connection slots left
UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "53300")
PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2.0


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and all(node is not s for s in seen):
        seen.append(node)
        node = getattr(node, "orig", None) or node.__cause__ or node.__context__
    return seen


def unavailable_cause(exc: BaseException) -> BaseException | None:
    """The error in `exc`'s chain that says the database cannot be reached or is going
    away, or None when it says something else."""
    for node in _chain(exc):
        if isinstance(node, OSError):  # refused, reset, socket gone, timed out
            return node
        if isinstance(node, asyncpg.InterfaceError) and "closed" in str(node):
            return node  # "connection is closed", "... closed in the middle of operation"
        state = getattr(node, "sqlstate", None) or getattr(node, "pgcode", None)
        if isinstance(state, str) and (state.startswith("08") or state in UNAVAILABLE_STATES):
            return node
        if getattr(node, "connection_invalidated", False):  # SQLAlchemy saw a disconnect
            return node
    return None


def is_unavailable(exc: BaseException) -> bool:
    return unavailable_cause(exc) is not None


class OutageWatch:
    """Counts one outage at a time; `failed` is cheap enough to call on every request."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        on_recovered: Callable[[], Awaitable[None]] | None = None,
        probe_interval: float = PROBE_INTERVAL_SECONDS,
    ) -> None:
        self.pool = pool
        self.on_recovered = on_recovered
        self.probe_interval = probe_interval
        self.down_since: float | None = None
        self.refused = 0
        self._probe: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> None:
        """A request could not reach the database (it answers 503)."""
        self.refused += 1
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        cause = unavailable_cause(exc) or exc
        log.error(
            "database unreachable (%s: %s); the API answers 503 until it is back",
            type(cause).__name__,
            (str(cause) or "no detail").splitlines()[0][:200],
        )
        self._probe = asyncio.get_running_loop().create_task(
            self._wait_for_database(), name="valkyr-database-probe"
        )

    async def _wait_for_database(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                    await self.pool.fetchval("SELECT 1")
            except Exception as exc:  # still down; it was said once already
                if not is_unavailable(exc):
                    log.debug("database probe failed", exc_info=True)
                continue
            break
        if self.on_recovered is not None:
            with contextlib.suppress(Exception):
                await self.on_recovered()
        seconds = time.monotonic() - (self.down_since or time.monotonic())
        log.warning(
            "database reachable again after %.1f s (%d API calls answered 503)",
            seconds,
            self.refused,
        )
        self.down_since, self.refused, self._probe = None, 0, None

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
