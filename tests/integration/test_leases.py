"""Leases, fencing and the reaper, with the injectable clock (no sleeping for minutes)."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from custom.leases.claim import LeaseLost, claim_runs, heartbeat_runner
from custom.leases.finish import complete_run
from custom.reaper.reaper import reap_once
from tests.engine_support import insert_workflow, start

pytestmark = pytest.mark.asyncio
MODULES = ["ext.work"]


def later(seconds: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)


async def one_step(db, n: int = 1, max_attempts: int = 3) -> list:
    wf = await insert_workflow(
        db, [{"key": "s", "module": "ext.work", "retry": {"maxAttempts": max_attempts}}]
    )
    return [await start(db, wf, {"i": i}) for i in range(n)]


async def test_claim_gives_fresh_increasing_fencing_tokens_and_skips_held_rows(db) -> None:
    await one_step(db, 3)
    first = await claim_runs(db, "r1", MODULES, 2, 30)
    second = await claim_runs(db, "r2", MODULES, 5, 30)
    assert len(first) == 2 and len(second) == 1
    tokens = [r["lease_token"] for r in first + second]
    assert tokens == sorted(tokens) and len(set(tokens)) == 3
    assert await claim_runs(db, "r3", MODULES, 5, 30) == []
    assert {r["lease_owner"] for r in second} == {"r2"}


async def test_only_the_current_holder_can_complete(db) -> None:
    (execution_id,) = await one_step(db)
    (run,) = await claim_runs(db, "owner", MODULES, 1, 30)
    async with db.acquire() as conn:
        with pytest.raises(LeaseLost):
            await complete_run(conn, run["id"], "owner", run["lease_token"] + 1, {"x": 1})
        with pytest.raises(LeaseLost):
            await complete_run(conn, run["id"], "intruder", run["lease_token"], {"x": 1})
        assert await db.fetchval("SELECT status FROM runs WHERE id = $1", run["id"]) == "LEASED"
        await complete_run(conn, run["id"], "owner", run["lease_token"], {"x": 1})
        with pytest.raises(LeaseLost):  # a second completion is refused too
            await complete_run(conn, run["id"], "owner", run["lease_token"], {"x": 2})
    status = await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", execution_id)
    assert status == "COMPLETED"
    assert await db.fetchval("SELECT output FROM runs WHERE id = $1", run["id"]) == {"x": 1}


async def test_expired_lease_is_reaped_into_a_new_attempt_and_the_old_token_is_refused(
    db,
) -> None:
    await one_step(db)
    (run,) = await claim_runs(db, "sleepy", MODULES, 1, 30)
    assert await reap_once(db) == 0  # lease still alive now
    assert await reap_once(db, now=later(31)) == 1  # ...but not 31 s from now
    rows = await db.fetch("SELECT attempt, status, error FROM runs ORDER BY attempt")
    assert [(r["attempt"], r["status"]) for r in rows] == [(1, "FAILED"), (2, "PENDING")]
    assert rows[0]["error"]["type"] == "lease_expired"
    async with db.acquire() as conn:
        with pytest.raises(LeaseLost):
            await complete_run(conn, run["id"], "sleepy", run["lease_token"], {"late": True})
    (retry,) = await claim_runs(db, "fresh", MODULES, 1, 30, now=later(31))
    assert retry["attempt"] == 2 and retry["lease_token"] > run["lease_token"]
    assert (
        await db.fetchval("SELECT value FROM engine_counters WHERE name = 'leases_reclaimed'") == 1
    )


async def test_heartbeat_keeps_every_run_of_the_runner_alive_with_one_statement(db) -> None:
    await one_step(db, 5)
    assert len(await claim_runs(db, "busy", MODULES, 5, 10)) == 5
    expires, cancel_ids = await heartbeat_runner(db, "busy", 60)
    assert cancel_ids == []
    assert expires > later(50)
    assert await reap_once(db, now=later(30)) == 0  # 10 s lease, but heartbeated to 60 s
    assert await reap_once(db, now=later(61)) == 5


async def test_concurrent_reapers_reclaim_each_run_exactly_once(db) -> None:
    await one_step(db, 30)
    assert len(await claim_runs(db, "dead", MODULES, 30, 5)) == 30
    moment = later(10)
    counts = await asyncio.gather(*[reap_once(db, now=moment) for _ in range(4)])
    assert sum(counts) == 30
    assert await db.fetchval("SELECT count(*) FROM runs WHERE status = 'PENDING'") == 30
    assert await db.fetchval("SELECT count(*) FROM runs WHERE attempt = 2") == 30
    assert await db.fetchval("SELECT value FROM engine_counters") == 30


async def test_reaping_the_last_attempt_dead_letters_it(db) -> None:
    (execution_id,) = await one_step(db, 1, max_attempts=1)
    await claim_runs(db, "gone", MODULES, 1, 5)
    assert await reap_once(db, now=later(10)) == 1
    assert await db.fetchval("SELECT status FROM runs") == "DEAD_LETTERED"
    assert await db.fetchval("SELECT reason FROM dead_letters") == "lease_expired"
    assert (
        await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", execution_id)
        == "FAILED"
    )


async def test_future_runs_are_not_claimed_before_their_time(db) -> None:
    await one_step(db)
    await db.execute("UPDATE runs SET available_at = now() + interval '1 hour'")
    assert await claim_runs(db, "early", MODULES, 1, 30) == []
    assert len(await claim_runs(db, "early", MODULES, 1, 30, now=later(3601))) == 1


async def test_replayed_step_with_an_already_succeeded_key_reuses_its_output(db) -> None:
    from custom.executions.definitions import step_by_key, steps_of
    from custom.executions.replay import replay_step

    (execution_id,) = await one_step(db)
    (run,) = await claim_runs(db, "w", MODULES, 1, 30)
    async with db.acquire() as conn:
        await complete_run(conn, run["id"], "w", run["lease_token"], {"charged": 1})
        async with conn.transaction():
            execution = await conn.fetchrow(
                "SELECT * FROM workflow_executions WHERE id = $1", execution_id
            )
            steps = await steps_of(conn, execution["workflow_id"], 1)
            replayed = await replay_step(
                conn, {**execution, "status": "RUNNING"}, step_by_key(steps, "s"), run["inputs"]
            )
    assert replayed["status"] == "SUCCEEDED" and replayed["attempt"] == 2
    # nothing was left for a runner to pick up: the module is not run again
    assert await claim_runs(db, "w", MODULES, 5, 30) == []
    outputs = await db.fetch("SELECT output FROM runs ORDER BY attempt")
    assert [o["output"] for o in outputs] == [{"charged": 1}, {"charged": 1}]
