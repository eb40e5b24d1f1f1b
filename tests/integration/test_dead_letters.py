"""The dead-letter queue end to end: quarantine, requeue with corrected
inputs, discard, double resolution, bulk resolution, the audit trail, and executions
with several dead letters."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.idempotency import canonical_json, sha256_hex
from tests.conftest import serve_engine
from tests.engine_support import execution_status, insert_workflow, start, wait_for, wait_status
from tests.support import client_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

# `total` reads an input the execution did not provide: a permanent failure
PRICE = [
    {
        "key": "price",
        "module": "transform",
        "inputs": {"customer": "${inputs.customer}"},
        "config": {"output": {"customer": "${inputs.customer}", "total": "${inputs.amount}"}},
    },
    {
        "key": "receipt",
        "module": "noop",
        "dependsOn": ["price"],
        "inputs": {"total": "${steps.price.output.total}"},
    },
]
ONCE = [{"key": "flaky", "module": "fail", "config": {"permanent": True, "times": 1}}]


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    async with serve_engine(db_url, runners=3) as served:
        yield served


@pytest_asyncio.fixture
async def api(engine: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(engine) as c:
        yield c


async def entries(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await api.get("/DeadLetterQueue", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def quarantined(
    api: httpx.AsyncClient, execution_id: uuid.UUID, n: int = 1
) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        items = await entries(api, executionId=str(execution_id), status="QUARANTINED")
        return items if len(items) >= n else None

    return await wait_for(check, 15)


async def key_name(db: asyncpg.Pool) -> str:
    return await db.fetchval("SELECT name FROM api_keys WHERE role = 'admin' LIMIT 1")


def digest(value: Any) -> str:
    return sha256_hex(canonical_json(value))


async def test_requeue_with_corrected_inputs_completes_the_execution(
    api: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, PRICE)
    execution_id = await start(db, wf, {"customer": "c1"})
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"
    [entry] = await quarantined(api, execution_id)
    assert entry["stepKey"] == "price" and entry["reason"] == "permanent_error"
    assert entry["inputs"] == {"customer": "c1"} and entry["audit"] == []
    runs_before = await db.fetchval("SELECT count(*) FROM runs")

    # malformed overrides are a 400 that changes nothing
    for body in (
        {"inputOverrides": "amount=42"},
        {"inputOverrides": [1]},
        {"inputOverrides": {"amount": "4\u00002"}},
        {"notes": 5},
        {"inputOverrides": {}, "colour": "red"},
    ):
        r = await api.post(f"/DeadLetterQueue/{entry['id']}/requeue", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await api.post(
        f"/DeadLetterQueue/{entry['id']}/requeue",
        content=b'{"inputOverrides": {"amount": NaN}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert (await api.get(f"/DeadLetterQueue/{entry['id']}")).json() == entry
    assert await db.fetchval("SELECT count(*) FROM runs") == runs_before
    assert await db.fetchval("SELECT count(*) FROM dead_letter_audit") == 0
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"

    r = await api.post(
        f"/DeadLetterQueue/{entry['id']}/requeue",
        json={"inputOverrides": {"amount": 42}, "notes": "amount was missing"},
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "REQUEUED" and done["resolvedBy"] == await key_name(db)
    assert done["resolutionNotes"] == "amount was missing" and done["resolvedAt"]
    assert await wait_status(db, execution_id, "COMPLETED", "FAILED") == "COMPLETED"
    outputs = await db.fetchval(
        "SELECT outputs FROM workflow_executions WHERE id = $1", execution_id
    )
    assert outputs["price"] == {"customer": "c1", "total": 42}
    assert outputs["receipt"] == {"total": 42}

    got = (await api.get(f"/DeadLetterQueue/{entry['id']}")).json()
    [audit] = got["audit"]
    new_run = await db.fetchrow(
        "SELECT * FROM runs WHERE step_key = 'price' AND attempt = 2 AND execution_id = $1",
        execution_id,
    )
    assert audit["action"] == "REQUEUED" and audit["actor"] == done["resolvedBy"]
    assert audit["notes"] == "amount was missing" and audit["at"]
    assert audit["changes"] == {"amount": 42}
    assert audit["inputsHashBefore"] == digest({"customer": "c1"})
    assert audit["inputsHashAfter"] == digest({"customer": "c1", "amount": 42})
    assert audit["newRunId"] == str(new_run["id"]) and new_run["status"] == "SUCCEEDED"
    assert new_run["inputs"] == {"customer": "c1", "amount": 42}
    listed = await entries(api, executionId=str(execution_id))
    assert listed[0]["audit"] == got["audit"]

    # a resolved entry cannot be resolved again
    again = await api.post(f"/DeadLetterQueue/{entry['id']}/requeue", json={})
    assert again.status_code == 409 and "REQUEUED" in again.json()["detail"]
    again = await api.post(f"/DeadLetterQueue/{entry['id']}/discard", json={"notes": "x"})
    assert again.status_code == 409
    assert await db.fetchval("SELECT count(*) FROM dead_letter_audit") == 1


async def test_discard_needs_notes_and_leaves_the_execution_failed(
    api: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, ONCE)
    execution_id = await start(db, wf, {})
    [entry] = await quarantined(api, execution_id)
    assert (await api.post(f"/DeadLetterQueue/{entry['id']}/discard", json={})).status_code == 400
    r = await api.post(f"/DeadLetterQueue/{entry['id']}/discard", json={"notes": "   "})
    assert r.status_code == 400
    r = await api.post(
        f"/DeadLetterQueue/{entry['id']}/discard", json={"notes": "customer cancelled by phone"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "DISCARDED"
    assert r.json()["audit"][0]["action"] == "DISCARDED"
    assert r.json()["audit"][0]["notes"] == "customer cancelled by phone"
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"
    r = await api.post(f"/DeadLetterQueue/{entry['id']}/requeue", json={})
    assert r.status_code == 409 and "DISCARDED" in r.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM runs WHERE execution_id = $1", execution_id) == 1
    for path in ("requeue", "discard"):
        r = await api.post(f"/DeadLetterQueue/{uuid.uuid4()}/{path}", json={"notes": "n"})
        assert r.status_code == 404
    assert (await api.get(f"/DeadLetterQueue/{uuid.uuid4()}")).status_code == 404


async def test_bulk_requeue_and_discard_touch_only_matching_quarantined_entries(
    api: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(db, ONCE, name="once")
    other = await insert_workflow(db, ONCE, name="other")
    mine = [await start(db, wf, {"i": i}) for i in range(3)]
    theirs = await start(db, other, {})
    for execution_id in [*mine, theirs]:
        await quarantined(api, execution_id)

    r = await api.post(
        "/DeadLetterQueue/bulk-requeue",
        json={"filter": {"workflowId": str(wf)}, "inputOverrides": "x"},
    )
    assert r.status_code == 400
    r = await api.post(
        "/DeadLetterQueue/bulk-requeue",
        json={"filter": {"workflowId": str(wf)}, "notes": "dependency back"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 3 and len(set(r.json()["ids"])) == 3
    for execution_id in mine:
        assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    assert await execution_status(db, theirs) == "FAILED"
    r = await api.post("/DeadLetterQueue/bulk-requeue", json={"filter": {"workflowId": str(wf)}})
    assert r.json() == {"count": 0, "ids": [], "remaining": 0}

    r = await api.post(
        "/DeadLetterQueue/bulk-discard",
        json={"filter": {"executionId": str(theirs), "stepKey": "flaky"}, "notes": "obsolete"},
    )
    assert r.status_code == 200 and r.json()["count"] == 1
    statuses = await db.fetch("SELECT status, count(*) AS n FROM dead_letters GROUP BY status")
    assert {s["status"]: s["n"] for s in statuses} == {"REQUEUED": 3, "DISCARDED": 1}
    assert await db.fetchval("SELECT count(*) FROM dead_letter_audit") == 4
    r = await api.post("/DeadLetterQueue/bulk-discard", json={"filter": {}})
    assert r.status_code == 400  # notes are required


async def test_bulk_resolution_is_capped_and_says_what_remains(api: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(db, ONCE, name="capped")
    executions = [await start(db, wf, {"i": i}) for i in range(3)]
    for execution_id in executions:
        await quarantined(api, execution_id)
    only = {"filter": {"workflowId": str(wf)}, "notes": "in slices"}
    r = await api.post("/DeadLetterQueue/bulk-discard", json={**only, "limit": 2})
    assert r.status_code == 200, r.text
    assert (r.json()["count"], r.json()["remaining"]) == (2, 1)
    assert await db.fetchval("SELECT count(*) FROM dead_letters WHERE status = 'DISCARDED'") == 2
    r = await api.post("/DeadLetterQueue/bulk-discard", json={**only, "limit": 2})
    assert (r.json()["count"], r.json()["remaining"]) == (1, 0)
    for bad in (0, 10_001, "2"):
        r = await api.post("/DeadLetterQueue/bulk-discard", json={**only, "limit": bad})
        assert r.status_code == 400, (bad, r.text)


async def test_two_dead_branches_fail_again_until_both_are_requeued(
    api: httpx.AsyncClient, db
) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "a", "module": "fail", "config": {"permanent": True, "times": 1}},
            {"key": "b", "module": "fail", "config": {"permanent": True, "times": 1}},
            {"key": "join", "module": "noop", "dependsOn": ["a", "b"]},
        ],
    )
    execution_id = await start(db, wf, {})
    both = {e["stepKey"]: e for e in await quarantined(api, execution_id, 2)}
    assert await execution_status(db, execution_id) == "FAILED"

    r = await api.post(f"/DeadLetterQueue/{both['a']['id']}/requeue", json={})
    assert r.status_code == 200, r.text
    # a succeeds; b is still dead-lettered and nothing else can run: FAILED again
    await wait_for(lambda: _step_done(db, execution_id, "a"), 10)
    assert await wait_status(db, execution_id, "FAILED") == "FAILED"
    error = await db.fetchval("SELECT error FROM workflow_executions WHERE id = $1", execution_id)
    assert error["stepKeys"] == ["b"]

    r = await api.post(f"/DeadLetterQueue/{both['b']['id']}/requeue", json={})
    assert r.status_code == 200, r.text
    assert await wait_status(db, execution_id, "COMPLETED") == "COMPLETED"
    # a was not run again: its success is kept
    assert (
        await db.fetchval(
            "SELECT count(*) FROM runs WHERE execution_id = $1 AND step_key = 'a'", execution_id
        )
        == 2
    )


async def test_requeue_into_a_cancelled_execution_is_409(api: httpx.AsyncClient, db) -> None:
    wf = await insert_workflow(
        db,
        [
            {"key": "a", "module": "fail", "config": {"permanent": True, "times": 1}},
            {"key": "b", "module": "fail", "config": {"permanent": True, "times": 1}},
            {"key": "slow", "module": "sleep", "dependsOn": ["a"], "config": {"seconds": 30}},
        ],
    )
    execution_id = await start(db, wf, {})
    both = {e["stepKey"]: e for e in await quarantined(api, execution_id, 2)}
    assert (await api.post(f"/DeadLetterQueue/{both['a']['id']}/requeue")).status_code == 200
    await wait_for(lambda: _step_done(db, execution_id, "a"), 10)
    # a's success started `slow`, so the execution is RUNNING and can be cancelled
    assert await execution_status(db, execution_id) == "RUNNING"
    assert (await api.post(f"/WorkflowExecution/{execution_id}/cancel")).status_code == 200
    r = await api.post(f"/DeadLetterQueue/{both['b']['id']}/requeue", json={})
    assert r.status_code == 409 and "CANCELLED" in r.json()["detail"]
    r = await api.post(f"/DeadLetterQueue/{both['b']['id']}/discard", json={"notes": "gone"})
    assert r.status_code == 200


async def _step_done(db: asyncpg.Pool, execution_id: uuid.UUID, step: str) -> bool:
    return bool(
        await db.fetchval(
            "SELECT 1 FROM runs WHERE execution_id = $1 AND step_key = $2 AND status = 'SUCCEEDED'",
            execution_id,
            step,
        )
    )
