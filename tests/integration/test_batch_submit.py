"""Batch submit over HTTP (POST /WorkflowExecution/batch): per-item results in order,
the single submit's idempotency rules, and overlapping batches that do not deadlock."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.engine_support import insert_workflow

pytestmark = pytest.mark.asyncio

BATCH = "/WorkflowExecution/batch"


async def test_mixed_items_each_get_what_a_single_submit_would_say(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    other = await insert_workflow(db, [{"key": "b", "module": "ext.never"}])
    earlier = await client.post(
        "/WorkflowExecution",
        headers={"Idempotency-Key": "order-1"},
        json={"workflowId": str(wf), "inputs": {"n": 1}},
    )
    items = [
        {"workflowId": str(wf), "inputs": {"n": 0}},
        {"workflowId": str(uuid.uuid4()), "inputs": {"n": 0}},
        {"workflowId": str(wf), "inputs": {"n": 1}, "idempotencyKey": "order-1"},
        {"workflowId": str(wf), "inputs": {"n": 2}, "idempotencyKey": "order-1"},
        {"workflowId": str(other)},
    ]
    answer = await client.post(BATCH, json={"items": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [201, 404, 200, 422, 201]
    assert results[0]["execution"]["workflowId"] == str(wf)
    assert results[0]["execution"]["status"] == "RUNNING"
    assert results[1]["problem"]["type"] == "/problems/not-found"
    assert "execution" not in results[1]
    assert results[2]["execution"]["id"] == earlier.json()["id"]
    assert results[3]["problem"]["type"] == "/problems/idempotency-conflict"
    assert results[4]["execution"]["inputs"] == {}
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 3
    assert await db.fetchval("SELECT count(*) FROM runs") == 3
    created_by = await db.fetchval(
        "SELECT created_by FROM workflow_executions WHERE id = $1",
        uuid.UUID(results[0]["execution"]["id"]),
    )
    assert created_by is not None


async def test_replaying_a_batch_finds_the_same_executions(client: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    items = [{"workflowId": str(wf), "inputs": {"n": i}} for i in range(50)]
    items[7]["idempotencyKey"] = "k-7"
    first = (await client.post(BATCH, json={"items": items})).json()["results"]
    again = (await client.post(BATCH, json={"items": items})).json()["results"]
    assert [r["status"] for r in first] == [201] * 50
    assert [r["status"] for r in again] == [200] * 50
    assert [r["execution"]["id"] for r in first] == [r["execution"]["id"] for r in again]
    assert again[7]["execution"]["idempotencyKey"] == "k-7"
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 50
    assert await db.fetchval("SELECT count(*) FROM runs") == 50


async def test_a_key_repeated_inside_one_batch_starts_one_execution(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    same = {"workflowId": str(wf), "inputs": {"n": 1}}
    items = [
        {**same, "idempotencyKey": "dup"},
        {**same, "idempotencyKey": "dup"},
        {"workflowId": str(wf), "inputs": {"n": 2}, "idempotencyKey": "dup"},
        same,
        same,
    ]
    results = (await client.post(BATCH, json={"items": items})).json()["results"]
    assert [r["status"] for r in results] == [201, 200, 422, 201, 200]
    assert results[0]["execution"]["id"] == results[1]["execution"]["id"]
    assert results[3]["execution"]["id"] == results[4]["execution"]["id"]
    assert results[0]["execution"]["id"] != results[3]["execution"]["id"]
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 2


@pytest.mark.parametrize("count", [0, 1001])
async def test_a_batch_outside_one_to_a_thousand_items_is_a_problem(
    client: httpx.AsyncClient, db, count: int
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    items = [{"workflowId": str(wf), "inputs": {"n": i}} for i in range(count)]
    answer = await client.post(BATCH, json={"items": items})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 0


async def test_overlapping_batches_from_two_tasks_neither_deadlock_nor_double_start(
    client: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    shared = [{"workflowId": str(wf), "inputs": {"n": i}} for i in range(300)]
    ours = [{"workflowId": str(wf), "inputs": {"mine": i}} for i in range(50)]
    # the same keys in opposite orders: unsorted inserts would wait on each other
    one, two = await asyncio.gather(
        client.post(BATCH, json={"items": shared + ours}),
        client.post(BATCH, json={"items": list(reversed(shared))}),
    )
    assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
    first = one.json()["results"][:300]
    second = list(reversed(two.json()["results"]))
    for a, b in zip(first, second, strict=True):
        assert a["execution"]["id"] == b["execution"]["id"]
        assert sorted((a["status"], b["status"])) == [200, 201]
    assert await db.fetchval("SELECT count(*) FROM workflow_executions") == 350
    assert await db.fetchval("SELECT count(*) FROM runs") == 350
