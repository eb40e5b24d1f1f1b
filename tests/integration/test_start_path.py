"""The one-statement start: a remembered workflow version that went stale, a workflow
deleted since, and the throttled wake-up of runners (NOTIFY) around it."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from custom.executions.context import EngineContext
from custom.executions.start import WorkflowNotFound, start_execution
from custom.executions.wakeups import Wakeups
from generated.constants import NOTIFY_CHANNEL
from tests.engine_support import insert_workflow

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def _put_version_2(db: asyncpg.Pool, wf, steps) -> None:
    """What PUT /Workflow does, done behind this process's back (another API process)."""
    from custom.workflows.validation import validate_steps

    steps = validate_steps(steps)
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("UPDATE workflows SET version = 2, steps = $2 WHERE id = $1", wf, steps)
        await conn.execute(
            "INSERT INTO workflow_versions (workflow_id, version, name, steps)"
            " VALUES ($1, 2, 'wf', $2)",
            wf,
            steps,
        )


async def test_a_stale_remembered_version_is_noticed_and_the_new_one_started(db) -> None:
    wf = await insert_workflow(db, [{"key": "old", "module": "noop"}])
    ctx = EngineContext()  # one engine: it remembers the version it saw
    async with db.acquire() as conn:
        first = await start_execution(conn, wf, {"n": 1}, ctx=ctx)
        assert ctx.definitions.remembered_version(wf) == 1
        await _put_version_2(db, wf, [{"key": "new", "module": "noop", "inputs": {"x": 1}}])
        second = await start_execution(conn, wf, {"n": 2}, ctx=ctx)
    assert first.execution["workflow_version"] == 1
    assert second.created and second.execution["workflow_version"] == 2
    assert ctx.definitions.remembered_version(wf) == 2
    runs = await db.fetch(
        "SELECT step_key, inputs FROM runs WHERE execution_id = $1", second.execution["id"]
    )
    assert [(r["step_key"], r["inputs"]) for r in runs] == [("new", {"x": 1})]
    # nothing half-written by the attempt built for version 1
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 2
    assert await db.fetchval("SELECT count(*) FROM runs") == 2


async def test_a_workflow_deleted_since_it_was_remembered_is_not_found(db) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    ctx = EngineContext()
    async with db.acquire() as conn:
        await start_execution(conn, wf, {"n": 1}, ctx=ctx)
        await conn.execute("DELETE FROM runs")
        await conn.execute("DELETE FROM workflow_executions")
        await conn.execute("DELETE FROM workflow_versions WHERE workflow_id = $1", wf)
        await conn.execute("DELETE FROM workflows WHERE id = $1", wf)
        with pytest.raises(WorkflowNotFound):
            await start_execution(conn, wf, {"n": 2}, ctx=ctx)
    assert ctx.definitions.remembered_version(wf) is None
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 0


async def test_duplicates_on_the_one_statement_path(db) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    async with db.acquire() as conn:
        a = await start_execution(conn, wf, {"n": 1}, idempotency_key="k-1")
        b = await start_execution(conn, wf, {"n": 1}, idempotency_key="k-1")
        c = await start_execution(conn, wf, {"n": 1})  # content hash: a new key
        d = await start_execution(conn, wf, {"n": 1})
    assert a.created and not b.created and c.created and not d.created
    assert a.execution["id"] == b.execution["id"] and c.execution["id"] == d.execution["id"]
    assert await db.fetchval("SELECT count(*) FROM runs") == 2


async def _listen(db_url: str) -> tuple[asyncpg.Connection, list[float]]:
    heard: list[float] = []
    conn = await asyncpg.connect(db_url)
    await conn.add_listener(NOTIFY_CHANNEL, lambda *_: heard.append(time.monotonic()))
    return conn, heard


async def test_submits_inside_the_cooldown_share_one_trailing_notify(db, db_url) -> None:
    """Another process's runner hears of every submit, after its commit, with one
    NOTIFY for the first submit and one trailing NOTIFY for the rest of the window."""
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    listener, heard = await _listen(db_url)
    woken: list[float] = []
    wakeups = Wakeups(1.0)  # long enough that five submits fit in it on a loaded machine
    wakeups.register(lambda: woken.append(time.monotonic()))
    wakeups.attach(db)
    ctx = EngineContext(wakeups=wakeups)
    await asyncio.sleep(1.05)  # a quiet period: earlier tests' NOTIFYs are a cooldown ago
    try:
        async with db.acquire() as conn:
            t0 = time.monotonic()
            for i in range(5):
                await start_execution(conn, wf, {"n": i}, ctx=ctx)
            last_commit = time.monotonic()
        assert last_commit - t0 < 1.0, "the submits did not fit in the cooldown"
        assert len(woken) == 5  # runners of this process: woken once per submit
        await asyncio.sleep(1.5)
        assert len(heard) == 2, (t0, last_commit, heard)
        assert heard[0] - t0 < 0.9  # the first submit carried its own NOTIFY
        assert heard[1] >= last_commit  # the trailing one came after the last commit
        assert heard[1] - t0 >= 0.99  # ... once the cooldown had passed
    finally:
        await wakeups.detach()
        await listener.close()


async def test_without_an_engine_every_submit_notifies(db, db_url) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    listener, heard = await _listen(db_url)
    try:
        async with db.acquire() as conn:
            for i in range(3):
                await start_execution(conn, wf, {"n": i})
        await asyncio.sleep(0.2)
        assert len(heard) == 3
    finally:
        await listener.close()


async def test_a_commit_during_the_trailing_notify_is_followed_by_one(db, db_url) -> None:
    listener, heard = await _listen(db_url)
    w = Wakeups(cooldown=0.05)
    w.attach(db)
    try:
        assert w.notify_inline()
        w.committed(notified=True)
        assert not w.notify_inline()
        w.committed(notified=False)  # trailing NOTIFY scheduled for the cooldown's end
        await asyncio.sleep(0.06)
        second = time.monotonic()
        w.committed(notified=False)  # lands while it is on its way, or just after
        await asyncio.sleep(0.3)
        # one NOTIFY per commit, or one for both when the second came before the first
        # was sent; either way one was sent after the second commit
        assert 1 <= len(heard) <= 2 and heard[-1] >= second, (second, heard)
        assert not w._pending
    finally:
        await w.detach()
        await listener.close()


async def test_inputs_that_do_not_resolve_under_the_new_version_are_dead_lettered(db) -> None:
    from custom.idempotency import execution_content_hash

    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    ctx = EngineContext()  # one engine: it remembers the version it saw
    async with db.acquire() as conn:
        await start_execution(conn, wf, {"n": 1}, ctx=ctx)  # version 1 remembered
        await _put_version_2(
            db, wf, [{"key": "b", "module": "noop", "inputs": {"x": "${inputs.missing}"}}]
        )
        started = await start_execution(conn, wf, {"n": 2}, ctx=ctx)
    execution = started.execution
    assert started.created and execution["workflow_version"] == 2
    assert execution["request_hash"] == execution_content_hash(wf, 2, {"n": 2})
    assert execution["status"] == "FAILED"
    letters = await db.fetch(
        "SELECT step_key, reason FROM dead_letters WHERE execution_id = $1", execution["id"]
    )
    assert [r["step_key"] for r in letters] == ["b"]
