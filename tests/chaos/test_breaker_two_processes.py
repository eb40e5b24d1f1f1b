"""One circuit breaker shared by two real runner processes: while it is
OPEN neither process calls the dependency, after the reset timeout exactly one trial
call is made across both, and recovery closes it for both."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.engine_support import (
    CountingServer,
    RunnerProcess,
    all_parked,
    claimed_between,
    insert_workflow,
    start,
    wait_for,
    wait_status,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.timeout(90)]

RUNNER_ENV = {
    "VALKYR_RUNNERS": "2",
    "VALKYR_HEARTBEAT_SECONDS": "0.2",
    "VALKYR_POLL_SECONDS": "0.1",
    "VALKYR_LEASE_SECONDS": "5",
}


RESET = datetime.timedelta(seconds=3)


async def _breaker(db: asyncpg.Pool) -> asyncpg.Record:
    return await db.fetchrow("SELECT * FROM circuit_breaker_states WHERE key = 'shared'")


async def test_two_runner_processes_share_one_breaker(db, db_url: str, tmp_path: Path) -> None:
    healthy = {"on": False}

    def behaviour(n: int, key: str) -> tuple[int, Any, float]:
        return (200, {"n": n}, 0.0) if healthy["on"] else (503, {"n": n}, 0.0)

    with CountingServer(behaviour) as server:
        await db.execute(
            "INSERT INTO circuit_breaker_states (key, failure_threshold, reset_timeout_seconds,"
            " half_open_max_calls) VALUES ('shared', 3, 3.0, 1)"
        )
        wf = await insert_workflow(
            db,
            [
                {
                    "key": "call",
                    "module": "http",
                    "config": {"url": server.url},
                    "circuitBreaker": "shared",
                    "retry": {
                        "maxAttempts": 50,
                        "initialBackoffSeconds": 0.05,
                        "maxBackoffSeconds": 0.05,
                        "jitter": False,
                    },
                }
            ],
        )
        runners = [RunnerProcess(db_url, name, tmp_path, **RUNNER_ENV) for name in ("A", "B")]
        try:
            await asyncio.gather(*(r.wait_ready() for r in runners))
            executions = [await start(db, wf, {"i": i}) for i in range(6)]

            async def in_state(state: str) -> asyncpg.Record | None:
                b = await _breaker(db)
                return b if b["state"] == state else None

            opened = await wait_for(lambda: in_state("OPEN"), 15)
            reset_at = opened["opened_at"] + RESET
            # both processes keep polling, yet every execution's next run stays parked
            await wait_for(lambda: all_parked(db, reset_at), 2)

            async def reopened() -> asyncpg.Record | None:
                b = await _breaker(db)
                if b["state"] == "OPEN" and b["opened_at"] > opened["opened_at"]:
                    return b
                return None

            again = await wait_for(reopened, 15)
            healthy["on"] = True
            for execution_id in executions:
                await wait_status(db, execution_id, "COMPLETED", within=20)
            b = await _breaker(db)
            assert (b["state"], b["failure_count"], b["half_open_in_flight"]) == ("CLOSED", 0, 0)
            # nothing dispatched while OPEN (after a grace for a claim that began just before
            # the opening committed), exactly one trial across both processes, and every
            # dispatched run called the server exactly once
            grace = datetime.timedelta(seconds=0.5)
            assert await claimed_between(db, opened["opened_at"] + grace, reset_at) == 0
            assert await claimed_between(db, reset_at, again["opened_at"]) == 1
            assert (
                await claimed_between(db, again["opened_at"] + grace, again["opened_at"] + RESET)
                == 0
            )
            dispatched = await db.fetchval("SELECT count(*) FROM runs WHERE claimed_at IS NOT NULL")
            assert server.total == dispatched
            owners = {r["lease_owner"] for r in await db.fetch("SELECT lease_owner FROM runs")}
            assert owners == {"@A", "@B"}
        finally:
            for r in runners:
                r.stop()
