"""Leases, fencing and the reaper, with the injectable clock (no sleeping for minutes)."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from custom.executions.context import EngineContext
from custom.leases.claim import LeaseLost, claim_runs, extend_runner_lease, heartbeat_runner
from custom.leases.finish import complete_run, fail_run
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
    from custom.executions.context import EngineContext
    from custom.executions.definitions import step_by_key
    from custom.executions.replay import replay_step

    (execution_id,) = await one_step(db)
    (run,) = await claim_runs(db, "w", MODULES, 1, 30)
    async with db.acquire() as conn:
        await complete_run(conn, run["id"], "w", run["lease_token"], {"charged": 1})
        async with conn.transaction():
            execution = await conn.fetchrow(
                "SELECT * FROM workflow_executions WHERE id = $1", execution_id
            )
            ctx = EngineContext()
            steps = await ctx.definitions.steps_of(conn, execution["workflow_id"], 1)
            replayed = await replay_step(
                conn,
                {**execution, "status": "RUNNING"},
                step_by_key(steps, "s"),
                run["inputs"],
                ctx=ctx,
            )
    assert replayed["status"] == "SUCCEEDED" and replayed["attempt"] == 2
    # nothing was left for a runner to pick up: the module is not run again
    assert await claim_runs(db, "w", MODULES, 5, 30) == []
    outputs = await db.fetch("SELECT output FROM runs ORDER BY attempt")
    assert [o["output"] for o in outputs] == [{"charged": 1}, {"charged": 1}]


async def _lease_row(db, runner_id: str):
    return await db.fetchrow(
        "SELECT expires_at, heartbeat_at, xmin::text AS xmin FROM runner_leases"
        " WHERE runner_id = $1",
        runner_id,
    )


async def test_claim_creates_a_missing_lease_and_reports_it(db) -> None:
    """A REST runner has no lease row before its first claim: the claim creates it."""
    await one_step(db, 2)
    assert await _lease_row(db, "rest") is None
    (run,) = await claim_runs(db, "rest", MODULES, 1, 30)
    row = await _lease_row(db, "rest")
    assert row is not None and run["lease_expires_at"] == row["expires_at"]
    assert later(25) < row["expires_at"] < later(35)


async def test_claim_leaves_a_comfortably_alive_lease_alone(db) -> None:
    """Claims do not write the runner's lease row while it has >= 90% of a lease left
    (the in-process runner extends it on every heartbeat), so they never queue on it."""
    await one_step(db, 3)
    await extend_runner_lease(db, "busy", 60)
    before = await _lease_row(db, "busy")
    (run,) = await claim_runs(db, "busy", MODULES, 1, 60)
    after = await _lease_row(db, "busy")
    assert after == before  # same row version: not rewritten
    assert run["lease_expires_at"] == before["expires_at"]
    # 10 s on, less than 90% of the lease is left: the claim extends it (never shortens)
    (run,) = await claim_runs(db, "busy", MODULES, 1, 60, now=later(10))
    extended = await _lease_row(db, "busy")
    assert extended["xmin"] != before["xmin"]
    assert extended["expires_at"] > before["expires_at"]
    assert run["lease_expires_at"] == extended["expires_at"]
    # an expired (not yet reaped) lease is renewed by the next claim
    await db.execute("UPDATE runner_leases SET expires_at = now() - interval '1 second'")
    (run,) = await claim_runs(db, "busy", MODULES, 1, 60)
    assert run["lease_expires_at"] > later(55)
    assert await reap_once(db) == 0  # one lease per runner: it covers all three runs
    assert await db.fetchval("SELECT status FROM runs WHERE id = $1", run["id"]) == "LEASED"


async def test_heartbeat_creates_the_lease_and_lists_runs_asked_to_cancel(db) -> None:
    await one_step(db, 3)
    runs = await claim_runs(db, "hb", MODULES, 3, 30)
    await db.execute("DELETE FROM runner_leases")  # e.g. removed by an operator
    await db.execute("UPDATE runs SET cancel_requested = true WHERE id = $1", runs[0]["id"])
    expires, cancel_ids = await heartbeat_runner(db, "hb", 60)
    assert expires > later(55) and cancel_ids == [runs[0]["id"]]
    _expires, none = await heartbeat_runner(db, "hb", 60, cancels=False)
    assert none == []
    assert await reap_once(db) == 0


async def test_reaper_takes_only_the_runs_of_lapsed_or_missing_leases(db) -> None:
    await one_step(db, 9)
    assert len(await claim_runs(db, "alive", MODULES, 3, 60)) == 3
    assert len(await claim_runs(db, "expired", MODULES, 3, 5)) == 3
    orphans = await claim_runs(db, "vanished", MODULES, 3, 60)
    await db.execute("DELETE FROM runner_leases WHERE runner_id = 'vanished'")
    moment = later(10)
    counts = await asyncio.gather(*[reap_once(db, now=moment) for _ in range(3)])
    assert sum(counts) == 6
    rows = await db.fetch(
        "SELECT lease_owner, status FROM runs WHERE attempt = 1 ORDER BY lease_owner"
    )
    by_owner = {}
    for r in rows:
        by_owner.setdefault(r["lease_owner"], set()).add(r["status"])
    assert by_owner == {"alive": {"LEASED"}, "expired": {"FAILED"}, "vanished": {"FAILED"}}
    assert await db.fetchval("SELECT count(*) FROM runs WHERE attempt = 2") == 6
    assert await db.fetchval("SELECT value FROM engine_counters") == 6
    async with db.acquire() as conn:
        with pytest.raises(LeaseLost):
            await complete_run(conn, orphans[0]["id"], "vanished", orphans[0]["lease_token"], {})


async def test_reaper_batch_limit_leaves_the_rest_for_the_next_pass(db) -> None:
    await one_step(db, 7)
    assert len(await claim_runs(db, "gone", MODULES, 7, 5)) == 7
    moment = later(10)
    assert await reap_once(db, now=moment, batch=4) == 4
    assert await reap_once(db, now=moment, batch=4) == 3
    assert await reap_once(db, now=moment, batch=4) == 0


async def test_finish_by_execution_id_locks_that_execution_and_checks_it(db) -> None:
    first, second = await one_step(db, 2)
    a, b = sorted(await claim_runs(db, "r", MODULES, 2, 60), key=lambda r: r["execution_id"])
    other = {a["execution_id"]: b["execution_id"], b["execution_id"]: a["execution_id"]}
    async with db.acquire() as conn:
        with pytest.raises(ValueError):  # a wrong execution id changes nothing
            await complete_run(
                conn, a["id"], "r", a["lease_token"], {}, execution_id=other[a["execution_id"]]
            )
        assert await db.fetchval("SELECT status FROM runs WHERE id = $1", a["id"]) == "LEASED"
        await complete_run(
            conn, a["id"], "r", a["lease_token"], {"ok": 1}, execution_id=a["execution_id"]
        )
        with pytest.raises(LeaseLost):
            await complete_run(
                conn, a["id"], "r", a["lease_token"], {}, execution_id=a["execution_id"]
            )
        await fail_run(
            conn,
            b["id"],
            "r",
            b["lease_token"],
            {"message": "boom"},
            retryable=True,
            execution_id=b["execution_id"],
        )
    statuses = dict(await db.fetch("SELECT id, status FROM workflow_executions"))
    assert statuses[a["execution_id"]] == "COMPLETED"
    assert statuses[b["execution_id"]] == "RUNNING"
    assert {first, second} == set(statuses)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM runs WHERE execution_id = $1 AND status = 'PENDING'",
            b["execution_id"],
        )
        == 1
    )


async def test_batched_completion_fences_each_run_and_advances_each_execution_once(db) -> None:
    from custom.leases.batch import Completion, complete_runs

    wf = await insert_workflow(
        db,
        [
            {"key": "left", "module": "ext.work"},
            {"key": "right", "module": "ext.work"},
            {"key": "join", "module": "ext.join", "dependsOn": ["left", "right"]},
        ],
    )
    first = await start(db, wf, {"n": 1})
    second = await start(db, wf, {"n": 2})
    runs = await claim_runs(db, "batcher", MODULES, 10, 30)
    assert len(runs) == 4
    stale = next(r for r in runs if r["execution_id"] == second)
    items = [
        Completion(
            r["id"],
            r["execution_id"],
            r["lease_token"] + (1 if r is stale else 0),
            None if r["step_key"] == "left" else {"k": r["step_key"]},
        )
        for r in runs
    ]
    async with db.acquire() as conn:
        done = await complete_runs(conn, "batcher", items, EngineContext())
    assert set(done.finished) == {r["id"] for r in runs} - {stale["id"]}
    joins = await db.fetch("SELECT execution_id FROM runs WHERE step_key = 'join'")
    assert [j["execution_id"] for j in joins] == [first]  # fan-in only where both finished
    assert await db.fetchval("SELECT status FROM runs WHERE id = $1", stale["id"]) == "LEASED"


async def test_runners_gone_for_an_hour_are_forgotten_once_they_hold_nothing(db) -> None:
    await one_step(db, 1, max_attempts=1)
    (run,) = await claim_runs(db, "vanished", MODULES, 1, 30)
    await extend_runner_lease(db, "idle-gone", 30)  # no runs ever
    await extend_runner_lease(db, "alive", 7200)

    async def runners() -> list[str]:
        rows = await db.fetch("SELECT runner_id FROM runner_leases ORDER BY runner_id")
        return [r["runner_id"] for r in rows]

    await reap_once(db, now=later(600))  # lapsed ten minutes ago: kept (and its run reaped)
    assert await runners() == ["alive", "idle-gone", "vanished"]
    assert await db.fetchval("SELECT status FROM runs WHERE id = $1", run["id"]) == "DEAD_LETTERED"
    await reap_once(db, now=later(3700))  # an hour later: both forgotten, the live one kept
    assert await runners() == ["alive"]
    # a runner that comes back gets a new lease row from its next claim
    await one_step(db)
    (again,) = await claim_runs(db, "vanished", MODULES, 1, 30)
    assert again["lease_expires_at"] is not None
    assert await runners() == ["alive", "vanished"]
