"""The in-process runner's outcomes and its last line of defence, on a real database.

- a module's own ValueError is retried (it is not "bad output");
- an output PostgreSQL cannot store is dead-lettered as bad_output before any write,
  and the completions batched beside it land;
- a run the database says the runner holds but the runner does not track is given
  back by a heartbeat (PENDING, no attempt used), but not one claimed a moment ago,
  nor one a stopping runner is giving back itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from custom.executions.context import EngineContext
from custom.leases.claim import claim_runs
from custom.modules.context import ModuleContext
from custom.modules.noop import run as noop
from custom.runner.listener import Listener
from custom.runner.pool import RunnerPool
from tests.engine_support import insert_workflow, start, wait_for, wait_status

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def runner_options(**overrides: Any) -> dict[str, Any]:
    """A small in-process runner's settings, fast heartbeats and polls."""
    options: dict[str, Any] = {
        "slots": 64,
        "claim_batch": 64,
        "runner_id": "rt",
        "lease_seconds": 6,
        "heartbeat_seconds": 0.2,
        "poll_seconds": 0.1,
        "shutdown_grace_seconds": 1,
        "hand_off": True,
    }
    return options | overrides


@asynccontextmanager
async def running(
    db: asyncpg.Pool, db_url: str, modules: dict[str, Any], **overrides: Any
) -> AsyncIterator[RunnerPool]:
    ctx = EngineContext(modules=modules)
    listener = Listener(db_url, ctx.wakeups.wake_local)
    await listener.start()
    pool = RunnerPool(db, ctx, **runner_options(listener=listener, **overrides))
    await pool.start()
    try:
        yield pool
    finally:
        await pool.stop()
        await listener.stop()


async def test_a_value_error_inside_a_module_is_retried(db, db_url: str) -> None:
    async def parse(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
        if ctx.attempt == 1:
            int("not a number")  # a bug or bad data met at run time: worth another attempt
        return {"parsed": True}

    wf = await insert_workflow(
        db,
        [{"key": "p", "module": "parse", "retry": {"maxAttempts": 3, "initialBackoffSeconds": 0}}],
    )
    execution_id = await start(db, wf)
    async with running(db, db_url, {"parse": parse}):
        assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
    runs = await db.fetch("SELECT attempt, status, error FROM runs ORDER BY attempt")
    assert [(r["attempt"], r["status"]) for r in runs] == [(1, "FAILED"), (2, "SUCCEEDED")]
    assert runs[0]["error"]["type"] == "ValueError"
    assert "invalid literal" in runs[0]["error"]["message"]
    assert await db.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_nan_output_is_dead_lettered_as_bad_output_and_its_batch_lands(
    db, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def nan(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
        await asyncio.sleep(0.05)  # finish together with the noops: one completion batch
        return {"ratio": math.nan}

    async def slow_noop(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
        await asyncio.sleep(0.05)
        return await noop(inputs, config, ctx)

    bad = await insert_workflow(
        db, [{"key": "r", "module": "nan", "retry": {"maxAttempts": 3}}], name="bad"
    )
    good = await insert_workflow(db, [{"key": "n", "module": "noop"}], name="good")
    bad_id = await start(db, bad)
    good_ids = [await start(db, good, {"i": i}) for i in range(30)]
    caplog.set_level(logging.ERROR, logger="custom.runner.completer")
    async with running(db, db_url, {"nan": nan, "noop": slow_noop}):
        assert await wait_status(db, bad_id, "FAILED", "COMPLETED") == "FAILED"
        for execution_id in good_ids:
            assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
    run = await db.fetchrow("SELECT status, attempt, error FROM runs WHERE step_key = 'r'")
    assert (run["status"], run["attempt"]) == ("DEAD_LETTERED", 1)  # permanent: no retry
    assert run["error"]["type"] == "bad_output" and "NaN" in run["error"]["message"]
    letter = await db.fetchrow("SELECT reason, error FROM dead_letters")
    assert letter["reason"] == "permanent_error" and letter["error"]["type"] == "bad_output"
    assert "batched completion refused" not in caplog.text  # it never reached a batch


async def test_heartbeat_gives_back_a_held_run_the_runner_does_not_track(db, db_url: str) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "elsewhere"}])
    lost_id = await start(db, wf, {"n": 1})
    fresh_id = await start(db, wf, {"n": 2})
    async with running(db, db_url, {"noop": noop}) as pool:
        given_back = pool.ctx.metrics.runs_given_back
        # leased to this runner's id behind its back, as a claim whose answer was lost
        (lost,) = await claim_runs(db, pool.runner_id, ["elsewhere"], 1, 60)
        await db.execute(
            "UPDATE runs SET claimed_at = now() - interval '1 minute' WHERE id = $1", lost["id"]
        )

        async def back_to_pending() -> bool:
            return await db.fetchval("SELECT status FROM runs WHERE id = $1", lost["id"]) == (
                "PENDING"
            )

        await wait_for(back_to_pending, 10)
        # a run claimed a moment ago may still be on its way to the runner: left alone
        (fresh,) = await claim_runs(db, pool.runner_id, ["elsewhere"], 1, 60)
        await asyncio.sleep(1.0)  # five heartbeats
        assert await db.fetchval("SELECT status FROM runs WHERE id = $1", fresh["id"]) == "LEASED"
    row = await db.fetchrow(
        "SELECT status, attempt, lease_owner, lease_token FROM runs WHERE id = $1", lost["id"]
    )
    assert (row["status"], row["attempt"], row["lease_owner"]) == ("PENDING", 1, None)
    assert given_back._value.get() == 1
    assert {lost["execution_id"], fresh["execution_id"]} == {lost_id, fresh_id}


async def test_a_stopping_runner_gives_its_runs_back_once_not_also_by_its_heartbeat(db) -> None:
    """stop() gives back what it held; the heartbeat, still beating meanwhile, must not
    take those runs for lost ones (with 100,000 held the two raced over the same rows)."""

    async def block(inputs: dict[str, Any], config: dict[str, Any], ctx: ModuleContext) -> Any:
        await asyncio.Event().wait()

    wf = await insert_workflow(db, [{"key": "b", "module": "block"}])
    for n in range(3):
        await start(db, wf, {"n": n})
    ctx = EngineContext(modules={"block": block})
    # stopped by hand below, not by running()
    pool = RunnerPool(db, ctx, **runner_options(shutdown_grace_seconds=0.1, hand_off=False))
    await pool.start()
    stopping = None
    try:

        async def all_leased() -> bool:
            return await db.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'") == 3

        await wait_for(all_leased, 10)
        # claimed long enough ago that a heartbeat would call them lost if it did not track
        await db.execute("UPDATE runs SET claimed_at = now() - interval '1 minute'")
        async with db.acquire() as locker:
            block_release = locker.transaction()
            await block_release.start()
            await locker.execute("SELECT 1 FROM runs ORDER BY id LIMIT 1 FOR UPDATE")
            stopping = asyncio.create_task(pool.stop())

            async def modules_stopped() -> bool:
                return not pool.inflight

            await wait_for(modules_stopped, 5)
            # stop() now waits on the locked row to give the runs back: they are its own
            assert await asyncio.wait_for(pool.lease.give_back_untracked(), 1.0) == 0
            await block_release.rollback()
    finally:
        await asyncio.wait_for(stopping or pool.stop(), 10)
    rows = await db.fetch("SELECT status, attempt, lease_owner FROM runs")
    assert [(r["status"], r["attempt"], r["lease_owner"]) for r in rows] == [
        ("PENDING", 1, None)
    ] * 3
    assert ctx.metrics.runs_given_back._value.get() == 0  # counted by the heartbeat only
