"""Which errors mean "the database cannot be reached" (a 503), and which do not."""

from __future__ import annotations

import asyncpg
import pytest

from custom.db.outage import is_unavailable, unavailable_cause


def wrapped(inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise RuntimeError("while answering a request") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "refused"),
        FileNotFoundError(2, "no socket"),
        TimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle of operation"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
def test_unreachable(exc: Exception) -> None:
    assert is_unavailable(exc)
    assert is_unavailable(wrapped(exc))
    assert unavailable_cause(wrapped(exc)) is not None


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate"),
        asyncpg.exceptions.QueryCanceledError("statement timeout"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock"),
        asyncpg.exceptions.DataError("invalid input for query argument"),
        ValueError("bad"),
        KeyError("k"),
    ],
)
def test_not_an_outage(exc: Exception) -> None:
    assert not is_unavailable(exc)
    assert not is_unavailable(wrapped(exc))
