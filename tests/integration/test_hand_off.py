"""Hand-off: the completion of a step leases the next one to the completing runner in
the same transaction (custom.leases.batch, run_handoff), and only where a claim would
lease it without asking anybody (not paused, not cancelled, no breaker to consult)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from custom.executions.context import EngineContext
from custom.executions.control import cancel, pause
from custom.leases.batch import Completed, Completion, HandOff, complete_runs
from custom.leases.claim import claim_runs
from custom.modules.noop import run as noop
from custom.runner.listener import Listener
from custom.runner.pool import RunnerPool
from tests.engine_support import insert_workflow, start, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]
MODULES = ["http", "noop"]
LEASE = 30.0


def chain(n: int, *, second: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """n noop steps, each depending on the one before; `second` overrides step 2."""
    steps: list[dict[str, Any]] = [
        {"key": f"s{k}", "module": "noop", **({"dependsOn": [f"s{k - 1}"]} if k > 1 else {})}
        for k in range(1, n + 1)
    ]
    if second:
        steps[1].update(second)
    return steps


async def complete_first(
    db: asyncpg.Pool, execution_id: Any, *, before: Any = None, limit: int = 4
) -> Completed:
    """Claim the execution's first run as runner r1 and complete it with a hand-off."""
    (run,) = await claim_runs(db, "r1", MODULES, 1, LEASE)
    assert run["execution_id"] == execution_id
    if before is not None:
        async with db.acquire() as conn:
            await before(conn, execution_id)
    item = Completion(run["id"], run["execution_id"], run["lease_token"], {"ok": True})
    async with db.acquire() as conn:
        return await complete_runs(
            conn, "r1", [item], EngineContext(), HandOff(MODULES, limit, LEASE)
        )


async def second_run(db: asyncpg.Pool) -> asyncpg.Record:
    return await db.fetchrow("SELECT * FROM runs WHERE step_key = 's2'")


async def test_the_next_step_is_leased_to_the_completing_runner_in_the_same_transaction(
    db,
) -> None:
    execution_id = await start(db, await insert_workflow(db, chain(2)))
    done = await complete_first(db, execution_id)
    (handed,) = done.handed_off
    nxt = await second_run(db)
    assert (handed["id"], nxt["status"], nxt["lease_owner"]) == (nxt["id"], "LEASED", "r1")
    assert nxt["lease_token"] == handed["lease_token"] and nxt["claimed_at"] >= nxt["available_at"]
    # the completion of s1 and the lease of s2 are one transaction
    xmins = await db.fetch("SELECT step_key, xmin::text AS x FROM runs ORDER BY step_key")
    assert xmins[0]["x"] == xmins[1]["x"]


async def test_no_room_no_hand_off(db) -> None:
    execution_id = await start(db, await insert_workflow(db, chain(2)))
    done = await complete_first(db, execution_id, limit=0)
    assert done.handed_off == []
    assert (await second_run(db))["status"] == "PENDING"


async def test_a_paused_executions_next_step_is_not_handed_off(db) -> None:
    execution_id = await start(db, await insert_workflow(db, chain(2)))
    done = await complete_first(db, execution_id, before=pause)
    assert done.handed_off == []
    nxt = await second_run(db)
    assert (nxt["status"], nxt["held"], nxt["lease_owner"]) == ("PENDING", True, None)


async def test_a_cancelled_executions_next_step_is_not_handed_off(db) -> None:
    execution_id = await start(db, await insert_workflow(db, chain(2)))
    done = await complete_first(db, execution_id, before=cancel)
    assert done.handed_off == []
    assert await second_run(db) is None
    assert await wait_status(db, execution_id, "CANCELLED") == "CANCELLED"


@pytest.mark.parametrize("state", ["OPEN", "HALF_OPEN"])
async def test_a_step_behind_a_breaker_that_is_not_closed_is_left_to_the_claim(
    db, state: str
) -> None:
    http = {"module": "http", "config": {"url": "http://127.0.0.1:9/x"}, "circuitBreaker": "svc"}
    execution_id = await start(db, await insert_workflow(db, chain(2, second=http)))
    await db.execute(
        "INSERT INTO circuit_breaker_states (key, failure_threshold, reset_timeout_seconds,"
        " half_open_max_calls, state, opened_at) VALUES ('svc', 2, 30, 1, $1, now())",
        state,
    )
    done = await complete_first(db, execution_id)
    assert done.handed_off == []
    assert (await second_run(db))["status"] == "PENDING"
    if state == "OPEN":  # the claim parks it until the breaker's reset time, as ever
        assert await claim_runs(db, "r2", MODULES, 4, LEASE) == []
        nxt = await second_run(db)
        assert (nxt["status"], nxt["attempt"]) == ("PENDING", 1)
        assert await db.fetchval("SELECT now() + interval '20 seconds' < $1", nxt["available_at"])


async def test_a_step_behind_a_closed_breaker_is_handed_off(db) -> None:
    http = {"module": "http", "config": {"url": "http://127.0.0.1:9/x"}, "circuitBreaker": "svc"}
    execution_id = await start(db, await insert_workflow(db, chain(2, second=http)))
    await db.execute(
        "INSERT INTO circuit_breaker_states (key, failure_threshold, reset_timeout_seconds,"
        " half_open_max_calls, state) VALUES ('svc', 2, 30, 1, 'CLOSED')"
    )
    done = await complete_first(db, execution_id)
    assert [r["step_key"] for r in done.handed_off] == ["s2"]


async def test_a_lease_with_less_than_half_its_length_left_is_not_handed_more(db) -> None:
    execution_id = await start(db, await insert_workflow(db, chain(2)))

    async def shorten(conn: asyncpg.Connection, _: Any) -> None:
        await conn.execute("UPDATE runner_leases SET expires_at = now() + interval '5 seconds'")

    done = await complete_first(db, execution_id, before=shorten)
    assert done.handed_off == []
    assert (await second_run(db))["status"] == "PENDING"


@asynccontextmanager
async def runner(db: asyncpg.Pool, db_url: str, *, hand_off: bool) -> AsyncIterator[RunnerPool]:
    ctx = EngineContext(modules={"noop": noop})
    listener = Listener(db_url, ctx.wakeups.wake_local)
    await listener.start()
    pool = RunnerPool(
        db,
        ctx,
        slots=4,
        claim_batch=4,
        runner_id="ho",
        lease_seconds=10,
        heartbeat_seconds=0.2,
        poll_seconds=0.1,
        listener=listener,
        shutdown_grace_seconds=1,
        hand_off=hand_off,
    )
    await pool.start()
    try:
        yield pool
    finally:
        await pool.stop()
        await listener.stop()


@pytest.mark.parametrize("hand_off", [True, False])
async def test_a_three_step_chain_runs_each_step_exactly_once(
    db, db_url: str, hand_off: bool
) -> None:
    wf = await insert_workflow(db, chain(3))
    async with runner(db, db_url, hand_off=hand_off) as pool:
        execution_ids = [await start(db, wf, {"n": i}) for i in range(3)]
        for execution_id in execution_ids:
            assert await wait_status(db, execution_id, "COMPLETED", within=20) == "COMPLETED"
        handed = pool.ctx.metrics.runs_handed_off._value.get()
    runs = await db.fetch(
        "SELECT step_key, attempt, status FROM runs ORDER BY execution_id, step_key"
    )
    assert [tuple(r) for r in runs] == [
        (f"s{k}", 1, "SUCCEEDED") for _ in execution_ids for k in (1, 2, 3)
    ]
    # steps 2 and 3 of each: always room (4 slots), so handed off, never claimed; also
    # when completion batches overlap: a batch may always pass its finishing runs' own
    # slots on (RunnerPool.reserve), whatever the others reserved
    assert handed == (6 if hand_off else 0)
