"""Concurrency limits on a real PostgreSQL: at most `limit` executions of a workflow with
one key RUNNING (or PAUSED) at once, the others PENDING in arrival order, started as
slots free up; a delayed start with the clock moved by the test; the reaper's sweep."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from custom.clock import ManualClock
from custom.dlq.resolve import requeue
from custom.executions.context import EngineContext
from custom.executions.start import Plan, start_execution
from custom.leases.claim import claim_runs
from custom.leases.finish import complete_run, fail_run
from custom.reaper.reaper import reap_once
from custom.schedules.firing import fire_due
from tests.support import expect_unchanged

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

STEP = {"key": "a", "module": "ext.never", "retry": {"maxAttempts": 1}}
BY_CUSTOMER = "${inputs.customerId}"


async def _workflow(client: httpx.AsyncClient, limit: int, key: str = BY_CUSTOMER) -> str:
    body = {"name": "limited", "steps": [STEP], "concurrency": {"key": key, "limit": limit}}
    r = await client.post("/Workflow", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["concurrency"] == {"key": key, "limit": limit}
    return r.json()["id"]


async def _submit(client: httpx.AsyncClient, wf: str, customer: Any, n: int = 0) -> dict:
    r = await client.post(
        "/WorkflowExecution", json={"workflowId": wf, "inputs": {"customerId": customer, "n": n}}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _status(db: asyncpg.Pool, execution: dict) -> str:
    return await db.fetchval(
        "SELECT status FROM workflow_executions WHERE id = $1", uuid.UUID(execution["id"])
    )


async def _statuses(db: asyncpg.Pool, executions: list[dict]) -> list[str]:
    return [await _status(db, e) for e in executions]


class _Runner:
    """Leases every ready run and finishes the one of the execution a test names."""

    def __init__(self, db: asyncpg.Pool, ctx: EngineContext | None = None) -> None:
        self.db = db
        self.ctx = ctx
        self.leased: dict[uuid.UUID, asyncpg.Record] = {}

    async def _run_of(self, execution: dict) -> asyncpg.Record:
        for run in await claim_runs(self.db, "test-runner", ["ext.never"], 100, 60):
            self.leased[run["execution_id"]] = run
        return self.leased.pop(uuid.UUID(execution["id"]))

    async def complete(self, execution: dict) -> None:
        run = await self._run_of(execution)
        async with self.db.acquire() as conn:
            await complete_run(
                conn, run["id"], "test-runner", run["lease_token"], {"ok": 1}, ctx=self.ctx
            )

    async def fail(self, execution: dict) -> None:
        run = await self._run_of(execution)
        async with self.db.acquire() as conn:
            await fail_run(
                conn, run["id"], "test-runner", run["lease_token"], {"m": "x"}, retryable=False
            )


async def test_limit_one_the_second_waits_until_the_first_completes(
    client: httpx.AsyncClient, db
) -> None:
    wf = await _workflow(client, 1)
    first = await _submit(client, wf, "c1", 1)
    second = await _submit(client, wf, "c1", 2)
    assert (first["status"], first["concurrencyKey"]) == ("RUNNING", "c1")
    assert (second["status"], second["concurrencyKey"]) == ("PENDING", "c1")
    assert second["startedAt"] is None
    waiting_runs = "SELECT count(*) FROM runs WHERE execution_id = $1"
    assert await db.fetchval(waiting_runs, uuid.UUID(second["id"])) == 0
    runner = _Runner(db)
    await runner.complete(first)
    assert await _statuses(db, [first, second]) == ["COMPLETED", "RUNNING"]
    await runner.complete(second)
    assert await _status(db, second) == "COMPLETED"


async def test_five_waiting_start_in_arrival_order(client: httpx.AsyncClient, db) -> None:
    wf = await _workflow(client, 1)
    executions = [await _submit(client, wf, "c1", n) for n in range(6)]
    runner = _Runner(db)
    for i, execution in enumerate(executions):
        expected = ["COMPLETED"] * i + ["RUNNING"] + ["PENDING"] * (5 - i)
        assert await _statuses(db, executions) == expected
        await runner.complete(execution)
    assert await _statuses(db, executions) == ["COMPLETED"] * 6


async def test_limit_two_and_different_keys_are_independent(client: httpx.AsyncClient, db) -> None:
    wf = await _workflow(client, 2)
    a = [await _submit(client, wf, "a", n) for n in range(3)]
    b = [await _submit(client, wf, "b", n) for n in range(2)]
    numeric = await _submit(client, wf, 7)  # a number is a key too ("7")
    assert numeric["concurrencyKey"] == "7" and numeric["status"] == "RUNNING"
    assert [e["status"] for e in a] == ["RUNNING", "RUNNING", "PENDING"]
    assert [e["status"] for e in b] == ["RUNNING", "RUNNING"]
    await _Runner(db).complete(a[1])
    assert await _statuses(db, a) == ["RUNNING", "COMPLETED", "RUNNING"]


async def test_a_dead_letter_frees_the_slot(client: httpx.AsyncClient, db) -> None:
    wf = await _workflow(client, 1)
    failing, next_one = await _submit(client, wf, "c1", 1), await _submit(client, wf, "c1", 2)
    await _Runner(db).fail(failing)
    assert await _statuses(db, [failing, next_one]) == ["FAILED", "RUNNING"]


async def test_a_requeued_execution_takes_its_slot_back_over_the_limit(
    client: httpx.AsyncClient, db
) -> None:
    """The choice: an operator's requeue runs at once, even over the limit; those
    waiting start when the count is under the limit again."""
    wf = await _workflow(client, 1)
    failed, running = await _submit(client, wf, "c1", 1), await _submit(client, wf, "c1", 2)
    waiting = await _submit(client, wf, "c1", 3)
    runner = _Runner(db)
    await runner.fail(failed)
    entry = await db.fetchval("SELECT id FROM dead_letters")
    async with db.acquire() as conn:
        await requeue(conn, entry, actor="test")
    assert await _statuses(db, [failed, running, waiting]) == ["RUNNING", "RUNNING", "PENDING"]
    await runner.complete(running)
    assert await _status(db, waiting) == "PENDING"  # 1 active (the requeued): no slot
    await runner.complete(failed)
    assert await _status(db, waiting) == "RUNNING"


async def test_cancel_frees_the_slot_and_a_cancelled_waiter_frees_nothing(
    client: httpx.AsyncClient, db
) -> None:
    wf = await _workflow(client, 1)
    running, w1, w2, w3 = [await _submit(client, wf, "c1", n) for n in range(4)]
    r = await client.post(f"/WorkflowExecution/{w1['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED", r.text
    assert await _statuses(db, [running, w2, w3]) == ["RUNNING", "PENDING", "PENDING"]
    r = await client.post(f"/WorkflowExecution/{running['id']}/cancel")
    assert r.json()["status"] == "CANCELLED"
    assert await _statuses(db, [w2, w3]) == ["RUNNING", "PENDING"]


async def test_pause_keeps_the_slot(client: httpx.AsyncClient, db) -> None:
    wf = await _workflow(client, 1)
    first, second = await _submit(client, wf, "c1", 1), await _submit(client, wf, "c1", 2)
    assert (await client.post(f"/WorkflowExecution/{first['id']}/pause")).status_code == 200
    await reap_once(db)
    assert await _statuses(db, [first, second]) == ["PAUSED", "PENDING"]
    assert (await client.post(f"/WorkflowExecution/{first['id']}/resume")).status_code == 200
    await _Runner(db).complete(first)
    assert await _status(db, second) == "RUNNING"


async def test_inputs_without_the_key_are_400_and_write_nothing(
    client: httpx.AsyncClient, db
) -> None:
    wf = await _workflow(client, 1)

    async def single() -> httpx.Response:
        return await client.post("/WorkflowExecution", json={"workflowId": wf, "inputs": {"n": 1}})

    body = await expect_unchanged(db, single, 400, "concurrency key")
    assert body["type"] == "/problems/concurrency-key"
    r = await client.post(
        "/WorkflowExecution/batch",
        json={"items": [{"workflowId": wf, "inputs": {"n": 1}}, {"workflowId": wf}]},
    )
    assert [x["status"] for x in r.json()["results"]] == [400, 400]
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 0


async def test_batch_items_of_a_limited_workflow_wait_their_turn(
    client: httpx.AsyncClient, db
) -> None:
    wf = await _workflow(client, 1)
    items = [{"workflowId": wf, "inputs": {"customerId": "c1", "n": n}} for n in range(3)]
    items[2]["priority"] = 9
    r = await client.post("/WorkflowExecution/batch", json={"items": items})
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 201, 201]
    assert [x["execution"]["status"] for x in results] == ["RUNNING", "PENDING", "PENDING"]
    assert results[2]["execution"]["priority"] == 9  # priority orders runs, not slots
    await _Runner(db).complete(results[0]["execution"])
    assert await _statuses(db, [x["execution"] for x in results[1:]]) == ["RUNNING", "PENDING"]


async def test_the_reaper_sweep_admits_under_a_raised_limit(client: httpx.AsyncClient, db) -> None:
    """Each execution keeps its version's limit; those waiting under a newer, higher
    one are started by the reaper's sweep when a slot freed under the old one."""
    wf = await _workflow(client, 1)
    old_running, old_waiting = (
        await _submit(client, wf, "c1", 1),
        await _submit(client, wf, "c1", 2),
    )
    body = {"name": "limited", "steps": [STEP], "concurrency": {"key": BY_CUSTOMER, "limit": 3}}
    assert (await client.put(f"/Workflow/{wf}", json=body)).status_code == 200
    new = [await _submit(client, wf, "c1", n) for n in (3, 4)]
    assert [e["status"] for e in new] == ["PENDING", "PENDING"]  # no overtaking
    await _Runner(db).complete(old_running)
    assert await _status(db, old_waiting) == "RUNNING"
    await reap_once(db)
    assert await _statuses(db, new) == ["RUNNING", "RUNNING"]  # 3 active under v2's 3


async def test_removing_the_limit_frees_new_executions_only(client: httpx.AsyncClient, db) -> None:
    wf = await _workflow(client, 1)
    running, waiting = await _submit(client, wf, "c1", 1), await _submit(client, wf, "c1", 2)
    r = await client.put(f"/Workflow/{wf}", json={"name": "limited", "steps": [STEP]})
    assert r.status_code == 200 and r.json()["concurrency"] is None
    free = await _submit(client, wf, "c1", 3)
    assert (free["status"], free["concurrencyKey"]) == ("RUNNING", None)
    await reap_once(db)
    assert await _statuses(db, [running, waiting]) == ["RUNNING", "PENDING"]


async def test_a_delayed_start_takes_a_slot_when_its_time_came(
    client: httpx.AsyncClient, db
) -> None:
    """Before its start it neither waits nor blocks; from then on it waits its turn (the
    scheduler does not release it past the limit) and the reaper's sweep starts it."""
    wf = uuid.UUID(await _workflow(client, 1))
    clock = ManualClock(await db.fetchval("SELECT now()"))
    ctx = EngineContext(clock=clock)
    async with db.acquire() as conn:
        later = Plan(start_at=clock.db_now() + datetime.timedelta(seconds=60), now=clock.db_now())
        delayed = await start_execution(conn, wf, {"customerId": "c1"}, plan=later, ctx=ctx)
        now = await start_execution(conn, wf, {"customerId": "c1", "n": 1}, ctx=ctx)
    delayed, now = dict(delayed.execution), dict(now.execution)
    assert (delayed["status"], now["status"]) == ("PENDING", "RUNNING")
    await clock.advance(61)
    assert (await fire_due(db, ctx)).released == 0
    await reap_once(db, ctx=ctx)
    delayed["id"], now["id"] = str(delayed["id"]), str(now["id"])
    assert await _statuses(db, [delayed, now]) == ["PENDING", "RUNNING"]
    await _Runner(db, ctx).complete(now)  # the engine's clock: its start has come
    assert await _status(db, delayed) == "RUNNING"


async def test_a_schedules_firings_wait_for_the_slot_too(client: httpx.AsyncClient, db) -> None:
    wf = uuid.UUID(await _workflow(client, 1))
    clock = ManualClock(await db.fetchval("SELECT now()"))
    ctx = EngineContext(clock=clock)
    await db.execute(
        "INSERT INTO schedules (workflow_id, interval_seconds, next_fire_at, inputs)"
        " VALUES ($1, 60, $2, $3)",
        wf,
        clock.db_now(),
        {"customerId": "c1"},
    )
    [first] = (await fire_due(db, ctx)).fired
    await clock.advance(60)
    [second] = (await fire_due(db, ctx)).fired
    first, second = dict(first.execution), dict(second.execution)
    assert (first["status"], second["status"]) == ("RUNNING", "PENDING")
    first["id"], second["id"] = str(first["id"]), str(second["id"])
    await _Runner(db, ctx).complete(first)
    assert await _status(db, second) == "RUNNING"
