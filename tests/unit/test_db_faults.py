"""Which errors mean "the database is away, try again" (and which do not)."""

from __future__ import annotations

import asyncpg
import pytest

from custom.db.faults import backoff_delay, is_transient


def _pg(cls: type[asyncpg.PostgresError]) -> asyncpg.PostgresError:
    return cls("x")


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "reset"),
        TimeoutError(),
        OSError(113, "No route to host"),
        _pg(asyncpg.exceptions.ConnectionDoesNotExistError),
        _pg(asyncpg.exceptions.ConnectionFailureError),
        _pg(asyncpg.exceptions.AdminShutdownError),
        _pg(asyncpg.exceptions.CannotConnectNowError),
        _pg(asyncpg.exceptions.CrashShutdownError),
        _pg(asyncpg.exceptions.SerializationError),
        _pg(asyncpg.exceptions.DeadlockDetectedError),
        _pg(asyncpg.exceptions.TooManyConnectionsError),
        _pg(asyncpg.exceptions.QueryCanceledError),
        _pg(asyncpg.exceptions.ReadOnlySQLTransactionError),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.exceptions.InternalClientError("cannot switch to state 15"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_outages_and_races_are_transient(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        _pg(asyncpg.exceptions.UniqueViolationError),
        _pg(asyncpg.exceptions.InvalidTextRepresentationError),
        _pg(asyncpg.exceptions.UntranslatableCharacterError),
        _pg(asyncpg.exceptions.UndefinedTableError),
        asyncpg.exceptions.DataError("invalid input for query argument $1"),
        ValueError("bug"),
        KeyError("bug"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_refusals_and_bugs_are_not_transient(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_backoff_is_full_jitter_under_its_cap() -> None:
    delays = [backoff_delay(attempt, base=0.05, cap=2.0) for attempt in range(40) for _ in range(5)]
    assert all(0.0 <= d <= 2.0 for d in delays)
    assert max(backoff_delay(1, base=0.05, cap=2.0) for _ in range(200)) <= 0.1
    assert len({round(d, 6) for d in delays}) > 100  # spread, not one value
