"""Which database errors are the database being away, and how to wait them out.

A restart, a failover or a network blip shows up as many different exceptions:
a refused or reset socket, a connection asyncpg finds closed, PostgreSQL saying it
is shutting down or starting up, a statement that timed out on a dead link, a
transaction that lost a serialization race. All of them mean "the same request may
well succeed in a moment, on a fresh connection"; everything else (a constraint, a
bad value, a bug) would fail again and must not be retried blindly.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

T = TypeVar("T")

# SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that
# say "try again": connection exceptions, serialization races, the server shutting
# down, starting up or out of connections, a statement cancelled, a read-only
# standby that has not been promoted yet.
TRANSIENT_SQLSTATE_CLASSES = ("08",)
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "53300",  # too_many_connections
        "57014",  # query_canceled (a statement timeout or a cancel on a dead link)
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, recovering)
        "57P05",  # idle_session_timeout
        "25006",  # read_only_sql_transaction (a failover not finished)
    }
)


CONNECTION_STATE_WORDS = ("closed", "another operation is in progress", "cannot switch to state")


def is_transient(exc: BaseException) -> bool:
    """True when `exc` means the database is (briefly) unreachable or busy."""
    if isinstance(exc, OSError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, asyncpg.exceptions.InternalClientError | asyncpg.InterfaceError):
        # asyncpg says a connection is unusable only in words: "connection is closed",
        # "another operation is in progress" or "cannot switch to state" (a pooled
        # connection left mid-protocol by a connection lost under it) clear on a new
        # connection; the rest ("the server expects 7 arguments", a value it cannot
        # encode) are the caller's and would fail again
        return any(words in str(exc) for words in CONNECTION_STATE_WORDS)
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        return state in TRANSIENT_SQLSTATES or state.startswith(TRANSIENT_SQLSTATE_CLASSES)
    return False


def backoff_delay(attempt: int, *, base: float = 0.05, cap: float = 2.0) -> float:
    """Full jitter (random in [0, min(cap, base·2^attempt)]): retries of many runs
    after an outage spread out instead of arriving as one wave."""
    return random.uniform(0.0, min(cap, base * (2 ** min(attempt, 20))))


async def bounded(
    conn: asyncpg.Connection, call: Callable[[asyncpg.Connection], Awaitable[T]], seconds: float
) -> T:
    """`call(conn)`, given up after `seconds`. On a partitioned link a statement waits
    for an answer that never comes, and asyncpg's cancel needs a second connection
    that cannot be opened either: the connection is aborted so the pool replaces it."""
    try:
        async with asyncio.timeout(seconds):
            return await call(conn)
    except TimeoutError:
        conn.terminate()
        raise


class OutageLog:
    """Says once that the database went away and once that it came back, however
    many statements failed in between (a log line per failure would bury the cause)."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.down_since: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.logger.warning("%s: database unreachable (%r); retrying", self.what, exc)

    def succeeded(self) -> None:
        if self.down_since is not None:
            self.logger.warning(
                "%s: database reachable again after %.1f s (%d failed attempt(s))",
                self.what,
                time.monotonic() - self.down_since,
                self.failures,
            )
            self.down_since, self.failures = None, 0
