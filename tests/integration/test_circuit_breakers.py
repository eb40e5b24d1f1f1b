"""Circuit breakers against a real PostgreSQL: parking in the claim, trials,
verdicts recorded with the run's result, no lost updates, the API, and a real HTTP
dependency that fails and recovers."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.leases.claim import claim_runs, release_runs
from custom.leases.finish import complete_run, fail_run
from tests.conftest import serve_engine
from tests.engine_support import (
    CountingServer,
    all_parked,
    claimed_between,
    insert_workflow,
    start,
    wait_for,
    wait_status,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

SEC = datetime.timedelta(seconds=1)


def http_step(
    url: str = "http://127.0.0.1:9/x", breaker: str = "svc", **extra: Any
) -> dict[str, Any]:
    return {
        "key": "call",
        "module": "http",
        "config": {"url": url},
        "circuitBreaker": breaker,
        **extra,
    }


async def add_breaker(
    db: asyncpg.Pool,
    key: str = "svc",
    *,
    threshold: int = 2,
    reset: float = 30.0,
    max_calls: int = 1,
    state: str = "CLOSED",
    opened: bool = False,
) -> None:
    await db.execute(
        "INSERT INTO circuit_breaker_states (key, failure_threshold, reset_timeout_seconds,"
        " half_open_max_calls, state, opened_at)"
        " VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)",
        key,
        threshold,
        reset,
        max_calls,
        state,
        opened,
    )


async def breaker(db: asyncpg.Pool, key: str = "svc") -> asyncpg.Record:
    return await db.fetchrow("SELECT * FROM circuit_breaker_states WHERE key = $1", key)


async def pending(db: asyncpg.Pool) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM runs WHERE status = 'PENDING' ORDER BY created_at")


async def now(db: asyncpg.Pool) -> datetime.datetime:
    return await db.fetchval("SELECT now()")


async def test_open_breaker_parks_runs_without_an_attempt_then_one_trial_closes_it(db) -> None:
    await add_breaker(db, state="OPEN", opened=True, reset=30)
    opened_at = (await breaker(db))["opened_at"]
    wf = await insert_workflow(db, [http_step()])
    plain = await insert_workflow(db, [{"key": "n", "module": "noop"}], name="plain")
    for i in range(3):
        await start(db, wf, {"i": i})
    await start(db, plain, {})

    claimed = await claim_runs(db, "r1", ["http", "noop"], 10, 60)
    # the run without a breaker is leased in the same claim; the three behind it are parked
    assert [r["module"] for r in claimed] == ["noop"]
    parked = await pending(db)
    assert len(parked) == 3
    for run in parked:
        assert run["attempt"] == 1 and run["status"] == "PENDING" and not run["held"]
        assert run["available_at"] == opened_at + 30 * SEC
    assert await claim_runs(db, "r1", ["http"], 10, 60) == []  # nothing ready any more

    # after the reset timeout: exactly one trial (halfOpenMaxCalls = 1), the rest wait
    later = opened_at + 31 * SEC
    trial = await claim_runs(db, "r1", ["http"], 10, 60, now=later)
    assert len(trial) == 1
    b = await breaker(db)
    assert (b["state"], b["half_open_in_flight"]) == ("HALF_OPEN", 1)
    waiting = await pending(db)
    assert len(waiting) == 2 and all(r["available_at"] > later for r in waiting)
    assert await claim_runs(db, "r1", ["http"], 10, 60, now=later + SEC) == []

    # the trial succeeds: CLOSED, and the waiting runs are ready at once
    async with db.acquire() as conn:
        await complete_run(conn, trial[0]["id"], "r1", trial[0]["lease_token"], {"ok": True})
    b = await breaker(db)
    assert (b["state"], b["failure_count"], b["half_open_in_flight"]) == ("CLOSED", 0, 0)
    rest = await claim_runs(db, "r2", ["http"], 10, 60)
    assert len(rest) == 2 and all(r["attempt"] == 1 for r in rest)


async def test_failures_open_at_the_threshold_and_a_failed_trial_reopens(db) -> None:
    await add_breaker(db, threshold=2, reset=30)
    wf = await insert_workflow(
        db,
        [
            http_step(
                retry={"maxAttempts": 5, "initialBackoffSeconds": 0.1, "maxBackoffSeconds": 0.1}
            )
        ],
    )
    for i in range(4):
        await start(db, wf, {"i": i})
    runs = await claim_runs(db, "r1", ["http"], 10, 60)
    assert len(runs) == 4
    err = {"message": "boom", "type": "transient"}
    async with db.acquire() as conn:
        await fail_run(conn, runs[0]["id"], "r1", runs[0]["lease_token"], err, retryable=True)
        b = await breaker(db)
        assert (b["state"], b["failure_count"]) == ("CLOSED", 1)
        # a permanent error (an http 4xx) means the dependency answered: not a failure
        bad = {"message": "HTTP 404", "type": "permanent"}
        await fail_run(conn, runs[1]["id"], "r1", runs[1]["lease_token"], bad, retryable=False)
        b = await breaker(db)
        assert (b["state"], b["failure_count"]) == ("CLOSED", 1)
        await fail_run(conn, runs[2]["id"], "r1", runs[2]["lease_token"], err, retryable=True)
        b = await breaker(db)
        assert (b["state"], b["failure_count"]) == ("OPEN", 2)
        opened_at = b["opened_at"]
        # a late failure of a call made before the breaker opened changes nothing but lastError
        late = {"message": "late", "type": "transient"}
        await fail_run(conn, runs[3]["id"], "r1", runs[3]["lease_token"], late, retryable=True)
    b = await breaker(db)
    assert (b["state"], b["failure_count"], b["opened_at"]) == ("OPEN", 2, opened_at)
    assert b["last_error"] == "late"

    await asyncio.sleep(0.15)  # the retries' backoff has passed: they are ready, but parked
    assert await claim_runs(db, "r1", ["http"], 10, 60) == []
    retries = await pending(db)
    assert sorted(r["attempt"] for r in retries) == [2, 2, 2]
    assert all(r["available_at"] == opened_at + 30 * SEC for r in retries)

    trial = await claim_runs(db, "r1", ["http"], 10, 60, now=opened_at + 31 * SEC)
    assert len(trial) == 1
    async with db.acquire() as conn:
        await fail_run(conn, trial[0]["id"], "r1", trial[0]["lease_token"], err, retryable=True)
    b = await breaker(db)
    assert b["state"] == "OPEN" and b["opened_at"] > opened_at
    assert b["half_open_in_flight"] == 0


async def test_concurrent_outcomes_lose_no_update(db_url: str, db) -> None:
    from custom.db.pools import create_pool

    await add_breaker(db, threshold=1000)
    wf = await insert_workflow(db, [http_step(retry={"maxAttempts": 1})])
    for i in range(24):
        await start(db, wf, {"i": i})
    runs = await claim_runs(db, "r1", ["http"], 100, 60)
    assert len(runs) == 24
    big = await create_pool(db_url, max_size=12)
    try:

        async def one(run: asyncpg.Record) -> None:
            async with big.acquire() as conn:
                await fail_run(
                    conn,
                    run["id"],
                    "r1",
                    run["lease_token"],
                    {"message": "x", "type": "t"},
                    retryable=True,
                )

        await asyncio.gather(*(one(r) for r in runs))
    finally:
        await big.close()
    assert (await breaker(db))["failure_count"] == 24


async def test_success_resets_the_count_and_costs_no_write_in_the_steady_state(db) -> None:
    wf = await insert_workflow(db, [http_step(breaker="fresh", retry={"maxAttempts": 3})])
    for i in range(3):
        await start(db, wf, {"i": i})
    runs = await claim_runs(db, "r1", ["http"], 10, 60)
    async with db.acquire() as conn:
        await fail_run(
            conn,
            runs[0]["id"],
            "r1",
            runs[0]["lease_token"],
            {"message": "x", "type": "t"},
            retryable=True,
        )
        b = await breaker(db, "fresh")  # created on first use
        assert (b["state"], b["failure_count"], b["failure_threshold"]) == ("CLOSED", 1, 5)
        await complete_run(conn, runs[1]["id"], "r1", runs[1]["lease_token"], {})
        b = await breaker(db, "fresh")
        assert b["failure_count"] == 0
        xmin = await db.fetchval("SELECT xmin::text FROM circuit_breaker_states")
        await complete_run(conn, runs[2]["id"], "r1", runs[2]["lease_token"], {})
    assert await db.fetchval("SELECT xmin::text FROM circuit_breaker_states") == xmin


async def test_runs_without_a_breaker_never_touch_breaker_state(db) -> None:
    wf = await insert_workflow(db, [{"key": "n", "module": "noop"}])
    await start(db, wf, {})
    runs = await claim_runs(db, "r1", ["noop"], 10, 60)
    async with db.acquire() as conn:
        await complete_run(conn, runs[0]["id"], "r1", runs[0]["lease_token"], {})
    assert await db.fetchval("SELECT count(*) FROM circuit_breaker_states") == 0


async def test_trial_slots_come_back_when_released_or_lost(db) -> None:
    await add_breaker(db, state="OPEN", opened=True, reset=5, max_calls=1)
    opened_at = (await breaker(db))["opened_at"]
    wf = await insert_workflow(db, [http_step()])
    for i in range(2):
        await start(db, wf, {"i": i})
    later = opened_at + 6 * SEC
    trial = await claim_runs(db, "r1", ["http"], 10, 60, now=later)
    assert len(trial) == 1 and (await breaker(db))["half_open_in_flight"] == 1
    # a stopping runner gives the trial back: its slot is free again
    assert await release_runs(db, "r1", [(trial[0]["id"], trial[0]["lease_token"])]) == 1
    assert (await breaker(db))["half_open_in_flight"] == 0
    again = await claim_runs(db, "r2", ["http"], 1, 60, now=later + 6 * SEC)
    assert len(again) == 1 and (await breaker(db))["half_open_in_flight"] == 1
    # a trial whose runner vanished holds its slot at most reset timeout + a lease
    await db.execute("UPDATE circuit_breaker_states SET updated_at = now() - interval '1 hour'")
    third = await claim_runs(db, "r3", ["http"], 10, 60, now=later + 30 * SEC)
    assert len(third) == 1


async def test_breaker_api_thresholds_reset_and_404(client: httpx.AsyncClient, db) -> None:
    await add_breaker(db, state="OPEN", opened=True, reset=60)
    wf = await insert_workflow(db, [http_step()])
    await start(db, wf, {})
    assert await claim_runs(db, "r1", ["http"], 10, 60) == []  # parked for a minute
    b = (await client.get("/CircuitBreakerState", params={"key": "svc"})).json()["items"][0]
    assert b["state"] == "OPEN"

    r = await client.put(
        f"/CircuitBreakerState/{b['id']}", json={"failureThreshold": 3, "resetTimeoutSeconds": 2}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["failureThreshold"], r.json()["resetTimeoutSeconds"]) == (3, 2)
    assert r.json()["state"] == "OPEN" and r.json()["halfOpenMaxCalls"] == 1
    r = await client.put(f"/CircuitBreakerState/{b['id']}", json={"state": "CLOSED"})
    assert r.status_code == 400
    r = await client.put(f"/CircuitBreakerState/{uuid.uuid4()}", json={"failureThreshold": 3})
    assert r.status_code == 404
    assert (await client.post(f"/CircuitBreakerState/{uuid.uuid4()}/reset")).status_code == 404

    r = await client.post(f"/CircuitBreakerState/{b['id']}/reset")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["failureCount"]) == ("CLOSED", 0)
    # the parked run is ready at once
    assert len(await claim_runs(db, "r1", ["http"], 10, 60)) == 1


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    async with serve_engine(db_url, runners=3) as served:
        yield served


async def test_http_dependency_fails_opens_half_opens_and_closes(engine: Any, db) -> None:
    healthy = {"on": False}

    def behaviour(n: int, key: str) -> tuple[int, Any, float]:
        return (200, {"n": n}, 0.0) if healthy["on"] else (500, {"n": n}, 0.0)

    with CountingServer(behaviour) as server:
        await add_breaker(db, threshold=3, reset=2.0)
        wf = await insert_workflow(
            db,
            [
                http_step(
                    server.url,
                    retry={
                        "maxAttempts": 50,
                        "initialBackoffSeconds": 0.05,
                        "maxBackoffSeconds": 0.05,
                        "jitter": False,
                    },
                )
            ],
        )
        executions = [await start(db, wf, {"i": i}) for i in range(4)]

        b = await wait_for(lambda: _state(db, "OPEN"), 10)
        reset_at = b["opened_at"] + 2 * SEC
        # every execution's next run waits, parked until the reset time, no attempt used
        await wait_for(lambda: all_parked(db, reset_at), 1.5)

        # the first trial after the reset timeout still fails: OPEN again
        again = await wait_for(lambda: _reopened(db, b["opened_at"]), 8)
        healthy["on"] = True
        for execution_id in executions:
            await wait_status(db, execution_id, "COMPLETED", within=10)
        closed = await breaker(db)
        assert (closed["state"], closed["failure_count"]) == ("CLOSED", 0)
        assert closed["half_open_in_flight"] == 0
        assert closed["opened_at"] == again["opened_at"]
        await assert_breaker_held(db, server, b["opened_at"], again["opened_at"], 2 * SEC)


async def assert_breaker_held(
    db: asyncpg.Pool,
    server: CountingServer,
    opened: datetime.datetime,
    reopened: datetime.datetime,
    reset: datetime.timedelta,
) -> None:
    """Nothing was dispatched while OPEN, and each HALF_OPEN let exactly one trial through.

    A claim whose statement began just before the opening committed may still lease a
    run in the first instants, hence the grace after each opening.
    """
    grace = datetime.timedelta(seconds=0.5)
    assert await claimed_between(db, opened + grace, opened + reset) == 0
    assert await claimed_between(db, opened + reset, reopened) == 1  # the failed trial
    assert await claimed_between(db, reopened + grace, reopened + reset) == 0
    # every dispatched run called the server once; nothing else did
    dispatched = await db.fetchval("SELECT count(*) FROM runs WHERE claimed_at IS NOT NULL")
    assert server.total == dispatched


async def _state(db: asyncpg.Pool, state: str) -> asyncpg.Record | None:
    b = await breaker(db)
    return b if b is not None and b["state"] == state else None


async def _reopened(db: asyncpg.Pool, opened_at: datetime.datetime) -> asyncpg.Record | None:
    b = await breaker(db)
    return b if b["state"] == "OPEN" and b["opened_at"] > opened_at else None
