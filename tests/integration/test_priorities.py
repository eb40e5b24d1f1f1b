"""Priorities on a real PostgreSQL: claims take higher priority first, then the oldest;
the starvation guard (aging) with the clock moved by the test; retries and batch items."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from custom.executions.start import BatchItem, start_batch, start_execution
from custom.leases.claim import claim_runs
from custom.leases.finish import fail_run
from custom.reaper.reaper import reap_once
from generated.constants import PRIORITY_DEFAULT
from tests.engine_support import insert_workflow
from tests.support import expect_unchanged

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

STEP = [{"key": "a", "module": "ext.never"}]
MODULES = ["ext.never"]


async def _submit(db: asyncpg.Pool, wf: uuid.UUID, n: int, priority: int) -> uuid.UUID:
    async with db.acquire() as conn:
        started = await start_execution(conn, wf, {"n": n}, priority=priority)
    return started.execution["id"]


async def _claim_order(db: asyncpg.Pool, now: datetime.datetime | None = None) -> list[uuid.UUID]:
    """The executions of the runs one claim leases, in claim order (one per claim)."""
    order = []
    while runs := await claim_runs(db, "test-runner", MODULES, 1, 60, now):
        order.append(runs[0]["execution_id"])
    return order


async def _db_now(db: asyncpg.Pool) -> datetime.datetime:
    return await db.fetchval("SELECT now()")


async def test_higher_priority_is_claimed_first_then_the_oldest(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, STEP)
    low = await _submit(db, wf, 0, 0)
    normal_1 = await _submit(db, wf, 1, PRIORITY_DEFAULT)
    high = await _submit(db, wf, 2, 9)
    normal_2 = await _submit(db, wf, 3, PRIORITY_DEFAULT)
    assert await _claim_order(db) == [high, normal_1, normal_2, low]


async def test_the_default_priority_is_stated_by_the_spec(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, STEP)
    async with db.acquire() as conn:
        started = await start_execution(conn, wf, {})
    assert started.execution["priority"] == PRIORITY_DEFAULT
    rank = await db.fetchval("SELECT priority_rank FROM runs")
    assert rank == 9 - PRIORITY_DEFAULT


async def test_aging_lets_an_old_low_priority_run_pass_newer_high_ones(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, STEP)
    old_low = await _submit(db, wf, 0, 0)
    # ready for 9 intervals of 10 s: rank 9 - 9 = 0, the top, ahead of newer 9s
    await db.execute("UPDATE runs SET available_at = available_at - interval '95 seconds'")
    new_high = [await _submit(db, wf, i, 9) for i in range(1, 4)]
    now = await _db_now(db)
    await reap_once(db, now=now, aging_seconds=0.0)  # aging off: nothing moves
    assert await db.fetchval("SELECT max(priority_rank) FROM runs") == 9
    await reap_once(db, now=now, aging_seconds=10.0)
    ranks = await db.fetch("SELECT execution_id, priority_rank FROM runs")
    assert {r["execution_id"]: r["priority_rank"] for r in ranks}[old_low] == 0
    assert await _claim_order(db, now) == [old_low, *new_high]


async def test_aging_rises_one_level_per_interval(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, STEP)
    await _submit(db, wf, 0, 2)  # rank 7
    now = await _db_now(db)
    await reap_once(db, now=now + datetime.timedelta(seconds=25), aging_seconds=10.0)
    assert await db.fetchval("SELECT priority_rank FROM runs") == 5
    await reap_once(db, now=now + datetime.timedelta(seconds=29), aging_seconds=10.0)
    assert await db.fetchval("SELECT priority_rank FROM runs") == 5
    await reap_once(db, now=now + datetime.timedelta(seconds=3600), aging_seconds=10.0)
    assert await db.fetchval("SELECT priority_rank FROM runs") == 0


async def test_a_retry_starts_again_at_its_executions_priority(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, [{**STEP[0], "retry": {"maxAttempts": 3}}])
    execution = await _submit(db, wf, 0, 2)
    now = await _db_now(db) + datetime.timedelta(seconds=30)
    await reap_once(db, now=now, aging_seconds=10.0)
    assert await db.fetchval("SELECT priority_rank FROM runs") == 4  # aged 3 levels
    [run] = await claim_runs(db, "test-runner", MODULES, 1, 60, now)
    async with db.acquire() as conn:
        await fail_run(
            conn, run["id"], "test-runner", run["lease_token"], {"message": "x"}, retryable=True
        )
    retry = await db.fetchrow(
        "SELECT attempt, priority_rank FROM runs WHERE execution_id = $1 AND status = 'PENDING'",
        execution,
    )
    assert (retry["attempt"], retry["priority_rank"]) == (2, 7)


async def test_batch_items_carry_their_priority(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, STEP)
    async with db.acquire() as conn:
        outcomes = await start_batch(
            conn,
            [
                BatchItem(wf, {"n": 0}),
                BatchItem(wf, {"n": 1}, priority=9),
                BatchItem(wf, {"n": 2}, priority=0),
            ],
        )
    ids = [o.execution["id"] for o in outcomes]
    assert [o.execution["priority"] for o in outcomes] == [PRIORITY_DEFAULT, 9, 0]
    assert await _claim_order(db) == [ids[1], ids[0], ids[2]]


async def test_priority_over_http_single_and_batch(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, STEP)
    r = await client.post("/WorkflowExecution", json={"workflowId": str(wf), "priority": 8})
    assert r.status_code == 201, r.text
    assert r.json()["priority"] == 8
    plain = await client.post(
        "/WorkflowExecution", json={"workflowId": str(wf), "inputs": {"n": 1}}
    )
    assert plain.json()["priority"] == PRIORITY_DEFAULT
    batch = await client.post(
        "/WorkflowExecution/batch",
        json={"items": [{"workflowId": str(wf), "inputs": {"n": 2}, "priority": 1}]},
    )
    assert batch.json()["results"][0]["execution"]["priority"] == 1
    ranks = await db.fetch(
        "SELECT e.priority, r.priority_rank FROM runs r JOIN workflow_executions e"
        " ON e.id = r.execution_id"
    )
    assert sorted((r["priority"], r["priority_rank"]) for r in ranks) == [(1, 8), (5, 4), (8, 1)]


@pytest.mark.parametrize("priority", [10, -1, "high", 2.5, None])
async def test_a_priority_out_of_range_is_400_and_writes_nothing(
    client: httpx.AsyncClient, db, priority: Any
) -> None:
    wf = await insert_workflow(db, STEP)

    async def single() -> httpx.Response:
        return await client.post(
            "/WorkflowExecution", json={"workflowId": str(wf), "priority": priority}
        )

    async def batch() -> httpx.Response:
        item = {"workflowId": str(wf), "priority": priority}
        return await client.post("/WorkflowExecution/batch", json={"items": [item]})

    await expect_unchanged(db, single, 400)
    await expect_unchanged(db, batch, 400)


async def test_no_hand_off_past_a_ready_run_of_higher_priority(db: asyncpg.Pool) -> None:
    """The completing runner leases the next step itself only when no ready run of a
    higher priority waits: the claim order holds for hand-offs too."""
    from custom.executions.context import EngineContext
    from custom.leases.batch import Completion, HandOff, complete_runs

    two = [
        {"key": "s1", "module": "ext.never"},
        {"key": "s2", "module": "ext.never", "dependsOn": ["s1"]},
    ]
    wf = await insert_workflow(db, two)
    low = await _submit(db, wf, 0, 2)
    [run] = await claim_runs(db, "r1", MODULES, 1, 60)
    assert run["execution_id"] == low

    async def complete_s1() -> list:
        item = Completion(run["id"], run["execution_id"], run["lease_token"], {"ok": True})
        async with db.acquire() as conn:
            done = await complete_runs(conn, "r1", [item], EngineContext(), HandOff(MODULES, 4, 60))
        return done.handed_off

    high = await _submit(db, await insert_workflow(db, STEP), 1, 9)
    assert await complete_s1() == []
    assert await _claim_order(db) == [high, low]


async def test_the_reaper_ages_ten_times_per_interval_not_every_pass(db: asyncpg.Pool) -> None:
    from custom.clock import ManualClock
    from custom.executions.context import EngineContext
    from custom.reaper.reaper import Reaper

    reaper = Reaper(db, 1.0, ctx=EngineContext(clock=ManualClock()), aging_seconds=60.0)
    assert reaper._aging_due() == 60.0
    assert reaper._aging_due() == 0.0  # the same moment: not again
    await reaper.ctx.clock.advance(6)
    assert reaper._aging_due() == 60.0
    assert Reaper(db, 1.0, aging_seconds=0.0)._aging_due() == 0.0  # aging off
