"""A database outage as the API sees it: which errors of a request mean "unreachable",
and one log line when it starts and one when it ends, however many requests fail.

While PostgreSQL is unreachable (stopped, restarting, failing over, out of
connection slots) every API call that needs it answers 503 with Retry-After
(custom.app.errors); nothing is logged per request. The first such failure logs
the outage (custom.db.faults.OutageLog) and starts a probe (`SELECT 1` every
second) that logs its end. The pool replaces the connections that died with the
server as it meets them.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from custom.db.faults import OutageLog, is_transient

log = logging.getLogger(__name__)

# transient, but the database is there and busy (a lost race, a deadlock, a statement
# timeout): a request that meets one is no sign of an outage
CONTENTION_STATES = frozenset({"40001", "40P01", "57014"})
PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2.0


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps (causes, contexts)."""
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and all(node is not s for s in seen):
        seen.append(node)
        node = node.__cause__ or node.__context__
    return seen


def unavailable_cause(exc: BaseException) -> BaseException | None:
    """The error in `exc`'s chain that says the database cannot be reached or is going
    away, or None when it says something else."""
    for node in _chain(exc):
        state = getattr(node, "sqlstate", None)
        if is_transient(node) and state not in CONTENTION_STATES:
            return node
    return None


def is_unavailable(exc: BaseException) -> bool:
    return unavailable_cause(exc) is not None


class OutageWatch:
    """One outage at a time; `failed` is cheap enough to call on every failed request."""

    def __init__(self, pool: asyncpg.Pool, probe_interval: float = PROBE_INTERVAL_SECONDS) -> None:
        self.pool = pool
        self.probe_interval = probe_interval
        self.outage = OutageLog(log, "API")
        self._probe: asyncio.Task[None] | None = None

    def failed(self, exc: BaseException) -> None:
        """A request could not reach the database (it answers 503)."""
        first = self.outage.down_since is None
        self.outage.failed(unavailable_cause(exc) or exc)
        if first:
            self._probe = asyncio.get_running_loop().create_task(
                self._wait_for_database(), name="valkyr-database-probe"
            )

    async def _wait_for_database(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                    await self.pool.fetchval("SELECT 1")
            except Exception:  # still down: it was said once already
                continue
            break
        self.outage.succeeded()
        self._probe = None

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
