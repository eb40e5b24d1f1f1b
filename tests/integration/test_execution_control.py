"""Execution control: pause holds dispatch back, resume continues it,
cancel stops pending and running work; invalid transitions are 409s."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.leases.claim import claim_runs, heartbeat_run
from custom.leases.finish import complete_run, fail_run
from custom.leases.tokens import secret_hash
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for, wait_status
from tests.support import client_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    async with serve_engine(db_url, runners=2) as served:
        yield served


@pytest_asyncio.fixture
async def api(engine: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(engine) as c:
        yield c


async def run_of(db: asyncpg.Pool, execution_id: uuid.UUID, step: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        "SELECT * FROM runs WHERE execution_id = $1 AND step_key = $2"
        " ORDER BY attempt DESC LIMIT 1",
        execution_id,
        step,
    )


async def run_in(
    db: asyncpg.Pool, execution_id: uuid.UUID, step: str, *statuses: str
) -> asyncpg.Record | None:
    run = await run_of(db, execution_id, step)
    return run if run is not None and run["status"] in statuses else None


async def test_pause_holds_a_ready_step_back_until_resume(api: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "first", "module": "sleep", "config": {"seconds": 0.4}},
            {"key": "second", "module": "noop", "dependsOn": ["first"]},
        ],
    )
    execution_id = await start(db, wf, {})
    await wait_for(lambda: run_in(db, execution_id, "first", "LEASED"), 10)
    r = await api.post(f"/WorkflowExecution/{execution_id}/pause")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "PAUSED"

    # the run in flight finishes; the step it makes ready is created held
    await wait_for(lambda: run_in(db, execution_id, "first", "SUCCEEDED"), 10)
    second = await wait_for(lambda: run_of(db, execution_id, "second"), 5)
    await asyncio.sleep(1.0)  # two runner slots are idle and polling all this time
    second = await run_of(db, execution_id, "second")
    assert second["status"] == "PENDING" and second["held"] and second["claimed_at"] is None
    assert await _status(db, execution_id) == "PAUSED"

    resumed_at = await db.fetchval("SELECT now()")
    r = await api.post(f"/WorkflowExecution/{execution_id}/resume")
    assert r.status_code == 200 and r.json()["status"] == "RUNNING"
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    second = await run_of(db, execution_id, "second")
    assert second["available_at"] >= resumed_at  # paused time is not dispatch latency


async def test_pause_and_resume_before_dispatch(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}, {"key": "b", "module": "noop"}])
    execution_id = await start(db, wf, {})
    assert (await client.post(f"/WorkflowExecution/{execution_id}/pause")).status_code == 200
    runs = await db.fetch("SELECT held, status FROM runs WHERE execution_id = $1", execution_id)
    assert [(r["held"], r["status"]) for r in runs] == [(True, "PENDING")] * 2
    assert await claim_runs(db, "r1", ["noop"], 10, 60) == []
    assert (await client.post(f"/WorkflowExecution/{execution_id}/resume")).status_code == 200
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60)) == 2


async def test_cancel_interrupts_a_running_step_within_a_heartbeat(
    api: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "long", "module": "sleep", "config": {"seconds": 30}},
            {"key": "after", "module": "noop", "dependsOn": ["long"]},
            {"key": "side", "module": "sleep", "config": {"seconds": 30}},
        ],
    )
    execution_id = await start(db, wf, {})
    await wait_for(lambda: run_in(db, execution_id, "long", "LEASED"), 10)
    await wait_for(lambda: run_in(db, execution_id, "side", "LEASED"), 10)
    began = time.monotonic()
    r = await api.post(f"/WorkflowExecution/{execution_id}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "CANCELLED" and r.json()["finishedAt"]
    for step in ("long", "side"):
        run = await wait_for(lambda s=step: run_in(db, execution_id, s, "CANCELLED"), 5, 0.02)
        assert run["error"]["type"] == "cancelled"
    # heartbeat every 0.2 s: the runs stop within one interval (plus scheduling slack)
    assert time.monotonic() - began < 1.2
    await asyncio.sleep(0.4)
    assert await _status(db, execution_id) == "CANCELLED"
    runs = await db.fetch("SELECT step_key, status FROM runs WHERE execution_id = $1", execution_id)
    assert sorted((r["step_key"], r["status"]) for r in runs) == [
        ("long", "CANCELLED"),
        ("side", "CANCELLED"),
    ]


async def test_results_after_cancel_start_nothing(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "a", "module": "noop"},
            {"key": "b", "module": "noop"},
            {"key": "c", "module": "noop"},
            {"key": "next", "module": "noop", "dependsOn": ["a"]},
        ],
    )
    execution_id = await start(db, wf, {})
    proof = secret_hash("a REST runner's secret")  # one for all three runs: a test shortcut
    claimed = await claim_runs(db, "ext", ["noop"], 10, 60, secret_hashes=[proof] * 10)
    a, b, c = sorted(claimed, key=lambda r: r["step_key"])
    r = await client.post(f"/WorkflowExecution/{execution_id}/cancel")
    assert r.status_code == 200
    # a REST runner learns it at its next heartbeat
    _expires, cancel = await heartbeat_run(
        db, a["id"], "ext", a["lease_token"], 60, secret_hash=proof
    )
    assert cancel is True
    run = await client.get(f"/Run/{a['id']}")
    assert run.json()["cancelRequested"] is True
    async with db.acquire() as conn:
        await complete_run(
            conn, a["id"], "ext", a["lease_token"], {"late": True}, secret_hash=proof
        )
        await fail_run(
            conn,
            b["id"],
            "ext",
            b["lease_token"],
            {"message": "x"},
            retryable=True,
            secret_hash=proof,
        )
        await fail_run(conn, c["id"], "ext", c["lease_token"], {"message": "x"}, retryable=False,
                       secret_hash=proof)  # fmt: skip
    runs = await db.fetch(
        "SELECT step_key, status FROM runs WHERE execution_id = $1 ORDER BY step_key", execution_id
    )
    assert [(r["step_key"], r["status"]) for r in runs] == [
        ("a", "SUCCEEDED"),  # its work was done: the result is kept, nothing follows it
        ("b", "CANCELLED"),  # asked to stop, then reported a failure (a REST runner's way)
        ("c", "CANCELLED"),
    ]
    assert await db.fetchval("SELECT count(*) FROM dead_letters") == 0
    assert await _status(db, execution_id) == "CANCELLED"


async def test_cancel_of_a_paused_execution_cancels_its_held_runs(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    execution_id = await start(db, wf, {})
    assert (await client.post(f"/WorkflowExecution/{execution_id}/pause")).status_code == 200
    r = await client.post(f"/WorkflowExecution/{execution_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    run = await run_of(db, execution_id, "a")
    assert (run["status"], run["held"]) == ("CANCELLED", False)


async def test_invalid_transitions_are_409_naming_the_status(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    running = await start(db, wf, {"n": 1})

    async def expect_409(op: str, execution_id: uuid.UUID, status: str) -> None:
        r = await client.post(f"/WorkflowExecution/{execution_id}/{op}")
        assert r.status_code == 409, (op, status, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert status in r.json()["detail"], r.json()
        assert r.json()["type"] == "/problems/invalid-transition"

    await expect_409("resume", running, "RUNNING")
    assert (await client.post(f"/WorkflowExecution/{running}/pause")).status_code == 200
    await expect_409("pause", running, "PAUSED")
    assert (await client.post(f"/WorkflowExecution/{running}/cancel")).status_code == 200
    for op in ("cancel", "pause", "resume"):
        await expect_409(op, running, "CANCELLED")

    completed = await start(db, wf, {"n": 2})
    [run] = await claim_runs(db, "r", ["noop"], 10, 60)
    async with db.acquire() as conn:
        await complete_run(conn, run["id"], "r", run["lease_token"], {})
    assert await _status(db, completed) == "COMPLETED"
    for op in ("cancel", "pause", "resume"):
        await expect_409(op, completed, "COMPLETED")

    failed = await start(
        db,
        await insert_workflow(
            db, [{"key": "x", "module": "noop", "inputs": {"v": "${inputs.missing}"}}], name="f"
        ),
        {},
    )
    assert await _status(db, failed) == "FAILED"
    await expect_409("cancel", failed, "FAILED")

    for op in ("cancel", "pause", "resume"):
        r = await client.post(f"/WorkflowExecution/{uuid.uuid4()}/{op}")
        assert r.status_code == 404
    r = await client.post("/WorkflowExecution/not-a-uuid/cancel")
    assert r.status_code == 400


async def _status(db: asyncpg.Pool, execution_id: uuid.UUID) -> str:
    return await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", execution_id)
