"""Signals and the `wait` step: a parked run no runner gets, completed by
POST /WorkflowExecution/{id}/signal (its payload the step's output), signals kept
until their wait is reached, timeouts dead-lettered by the reaper (moved clock)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.leases.claim import claim_runs
from custom.reaper.reaper import reap_once
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for, wait_status
from tests.support import assert_problem, client_for, expect_unchanged

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

APPROVAL = [
    {"key": "prepare", "module": "noop", "inputs": {"order": "${inputs.order}"}},
    {
        "key": "approval",
        "module": "wait",
        "dependsOn": ["prepare"],
        "config": {"signal": "approved", "timeoutSeconds": 60},
    },
    {
        "key": "ship",
        "module": "noop",
        "dependsOn": ["approval"],
        "inputs": {"by": "${steps.approval.output.by}"},
    },
]


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    async with serve_engine(db_url, runners=2) as served:
        yield served


@pytest_asyncio.fixture
async def api(engine: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(engine) as c:
        yield c


async def latest(db: asyncpg.Pool, execution_id: uuid.UUID, step: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM runs WHERE execution_id = $1 AND step_key = $2"
        " ORDER BY attempt DESC LIMIT 1",
        execution_id,
        step,
    )


async def waiting(db: asyncpg.Pool, execution_id: uuid.UUID, step: str) -> asyncpg.Record | None:
    run = await latest(db, execution_id, step)
    return run if run is not None and run["status"] == "WAITING" else None


async def signal(
    api: httpx.AsyncClient, execution_id: uuid.UUID, name: str, payload: Any, **headers: str
) -> httpx.Response:
    return await api.post(
        f"/WorkflowExecution/{execution_id}/signal",
        json={"name": name, "payload": payload},
        headers=headers,
    )


async def test_a_signal_completes_a_parked_wait_and_the_next_step_runs(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, APPROVAL)
    execution_id = await start(db, wf, {"order": 7})
    run = await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    assert run["lease_owner"] is None and run["claimed_at"] is None
    # parked until its deadline, out of every runner's reach (in-process and REST)
    assert run["available_at"] - run["created_at"] >= datetime.timedelta(seconds=59)
    assert await claim_runs(db, "rest-worker", ["wait", "noop"], 10, 30.0) == []
    graph = (await api.get(f"/WorkflowExecution/{execution_id}/graph")).json()
    node = next(n for n in graph["nodes"] if n["key"] == "approval")
    assert node["status"] == "WAITING" and node["module"] == "wait", node

    r = await signal(api, execution_id, "approved", {"by": "ops@example.com"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "approved" and body["consumedByRunId"] == str(run["id"])
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    outputs = await db.fetchval(
        "SELECT outputs FROM workflow_executions WHERE id = $1", execution_id
    )
    assert outputs["approval"] == {"by": "ops@example.com"}
    assert outputs["ship"] == {"by": "ops@example.com"}


async def test_a_signal_sent_early_is_kept_and_consumed_when_the_wait_is_reached(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    steps = [
        {"key": "slow", "module": "sleep", "config": {"seconds": 0.5}},
        {
            "key": "approval",
            "module": "wait",
            "dependsOn": ["slow"],
            "config": {"signal": "approved"},
        },
    ]
    execution_id = await start(db, await insert_workflow(db, steps), {})
    r = await signal(api, execution_id, "approved", "yes")
    assert r.status_code == 201 and r.json()["consumedByRunId"] is None, r.text
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    run = await latest(db, execution_id, "approval")
    assert run["status"] == "SUCCEEDED" and run["output"] == "yes"
    kept = await db.fetchrow("SELECT * FROM signals WHERE execution_id = $1", execution_id)
    assert kept["consumed_by_run_id"] == run["id"]


async def test_two_waits_on_one_name_take_one_signal_each_in_order(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    steps = [
        {"key": "first", "module": "wait", "config": {"signal": "go"}},
        {"key": "second", "module": "wait", "dependsOn": ["first"], "config": {"signal": "go"}},
    ]
    execution_id = await start(db, await insert_workflow(db, steps), {})
    await wait_for(lambda: waiting(db, execution_id, "first"), 10)
    assert (await signal(api, execution_id, "go", 1)).status_code == 201
    await wait_for(lambda: waiting(db, execution_id, "second"), 10)
    assert (await latest(db, execution_id, "first"))["output"] == 1
    assert (await signal(api, execution_id, "go", 2)).status_code == 201
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    assert (await latest(db, execution_id, "second"))["output"] == 2


async def test_two_early_signals_go_to_the_waits_in_the_order_they_were_sent(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    steps = [
        {"key": "slow", "module": "sleep", "config": {"seconds": 0.3}},
        {"key": "a", "module": "wait", "dependsOn": ["slow"], "config": {"signal": "go"}},
        {"key": "b", "module": "wait", "dependsOn": ["a"], "config": {"signal": "go"}},
    ]
    execution_id = await start(db, await insert_workflow(db, steps), {})
    assert (await signal(api, execution_id, "go", "one")).status_code == 201
    assert (await signal(api, execution_id, "go", "two")).status_code == 201
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    assert (await latest(db, execution_id, "a"))["output"] == "one"
    assert (await latest(db, execution_id, "b"))["output"] == "two"


async def test_a_wait_that_times_out_is_dead_lettered(db: asyncpg.Pool, engine: Any) -> None:
    wf = await insert_workflow(db, APPROVAL)
    execution_id = await start(db, wf, {"order": 1})
    run = await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    assert await reap_once(db) == 0 and (await waiting(db, execution_id, "approval"))
    later = run["created_at"] + datetime.timedelta(seconds=61)  # the clock moves, no sleep
    await reap_once(db, now=later)
    run = await latest(db, execution_id, "approval")
    assert run["status"] == "DEAD_LETTERED"
    assert run["error"]["type"] == "signal_timeout" and "approved" in run["error"]["message"]
    letter = await db.fetchrow("SELECT * FROM dead_letters WHERE run_id = $1", run["id"])
    assert letter["reason"] == "signal_timeout"
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"


async def test_cancel_while_waiting_cancels_the_wait(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    execution_id = await start(db, await insert_workflow(db, APPROVAL), {"order": 2})
    await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    r = await api.post(f"/WorkflowExecution/{execution_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED", r.text
    assert (await latest(db, execution_id, "approval"))["status"] == "CANCELLED"
    assert_problem(await signal(api, execution_id, "approved", None), 409, "CANCELLED")


async def test_a_repeated_signal_post_with_one_key_is_one_signal(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    execution_id = await start(db, await insert_workflow(db, APPROVAL), {"order": 3})
    await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    first = await signal(api, execution_id, "approved", {"by": "a"}, **{"Idempotency-Key": "k1"})
    again = await signal(api, execution_id, "approved", {"by": "a"}, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert await db.fetchval("SELECT count(*) FROM signals") == 1
    assert_problem(
        await signal(api, execution_id, "approved", {"by": "b"}, **{"Idempotency-Key": "k1"}),
        422,
        "k1",
    )
    # without a key a second POST is a second signal: kept for a later wait on the name
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"


async def test_bad_signals_are_problems_that_change_nothing(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    api = client  # no runners: heartbeats would change runner_leases under the snapshot
    execution_id = await start(db, await insert_workflow(db, APPROVAL), {"order": 4})
    url = f"/WorkflowExecution/{execution_id}/signal"
    await expect_unchanged(db, lambda: api.post(url, json={"payload": 1}), 400)
    await expect_unchanged(db, lambda: api.post(url, json={"name": "has space"}), 400)
    await expect_unchanged(db, lambda: api.post(url, json={"name": "x", "extra": 1}), 400)
    missing = f"/WorkflowExecution/{uuid.uuid4()}/signal"
    await expect_unchanged(db, lambda: api.post(missing, json={"name": "approved"}), 404)


async def test_a_wait_config_is_checked_when_the_workflow_is_stored(
    api: httpx.AsyncClient,
) -> None:
    for config in ({}, {"signal": "ok", "timeoutSeconds": 0}, {"signal": "ok", "x": 1}):
        r = await api.post(
            "/Workflow",
            json={"name": "w", "steps": [{"key": "w", "module": "wait", "config": config}]},
        )
        assert_problem(r, 400)


async def test_a_wait_survives_a_restart_of_the_service(db_url: str, db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, APPROVAL)
    async with serve_engine(db_url, runners=1):
        execution_id = await start(db, wf, {"order": 5})
        await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    # the service is gone; the wait is a row, not a coroutine: a new service takes over
    async with serve_engine(db_url, runners=1) as served, client_for(served) as api:
        r = await signal(api, execution_id, "approved", {"by": "after restart"})
        assert r.status_code == 201, r.text
        assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"


async def test_a_signal_to_a_paused_execution_completes_the_wait_and_holds_what_follows(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    execution_id = await start(db, await insert_workflow(db, APPROVAL), {"order": 6})
    await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    assert (await api.post(f"/WorkflowExecution/{execution_id}/pause")).status_code == 200
    assert (await signal(api, execution_id, "approved", {"by": "x"})).status_code == 201
    ship = await latest(db, execution_id, "ship")
    assert ship["status"] == "PENDING" and ship["held"]  # paused: created, not dispatched
    assert (await api.post(f"/WorkflowExecution/{execution_id}/resume")).status_code == 200
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"


async def test_a_requeued_timed_out_wait_parks_again_and_takes_a_signal(
    api: httpx.AsyncClient, db: asyncpg.Pool, engine: Any
) -> None:
    execution_id = await start(db, await insert_workflow(db, APPROVAL), {"order": 8})
    run = await wait_for(lambda: waiting(db, execution_id, "approval"), 10)
    await reap_once(db, now=run["created_at"] + datetime.timedelta(seconds=61))
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"
    assert_problem(await signal(api, execution_id, "approved", None), 409, "FAILED")
    letter = await db.fetchval("SELECT id FROM dead_letters WHERE run_id = $1", run["id"])
    r = await api.post(f"/DeadLetterQueue/{letter}/requeue", json={"notes": "ask again"})
    assert r.status_code == 200, r.text
    again = await waiting(db, execution_id, "approval")
    assert again is not None and again["attempt"] == 2
    assert (await signal(api, execution_id, "approved", {"by": "b"})).status_code == 201
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
