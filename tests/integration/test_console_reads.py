"""The read operations the console needs, over the real app and PostgreSQL: executions
filtered by time range and id prefix, counts per status, an execution's step graph with
run states, a workflow's versions, dead letters by workflow and reason (and their count),
and the calling key's role with what it may call."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.auth.keys import create_key
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for, wait_status
from tests.support import client_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

CHAIN = [
    {"key": "a", "module": "noop"},
    {"key": "b", "module": "noop", "dependsOn": ["a"]},
    {"key": "c", "module": "elsewhere.only", "dependsOn": ["b"], "circuitBreaker": "mail"},
]
ONCE = [{"key": "flaky", "module": "fail", "config": {"permanent": True, "times": 1}}]


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    async with serve_engine(db_url, runners=2) as served:
        yield served


@pytest_asyncio.fixture
async def api(engine: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(engine) as c:
        yield c


async def ok_json(r: httpx.Response) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


async def set_created(db: asyncpg.Pool, execution_id: uuid.UUID, at: datetime.datetime) -> None:
    await db.execute(
        "UPDATE workflow_executions SET created_at = $2 WHERE id = $1", execution_id, at
    )


# --- executions: time range, id prefix, counts ---


async def test_executions_filter_by_time_range_and_id_prefix(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, [{"key": "w", "module": "elsewhere.only"}])
    old, mid, new = [await start(db, wf, {"i": i}) for i in range(3)]
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for n, execution_id in enumerate((old, mid, new)):
        await set_created(db, execution_id, base + datetime.timedelta(hours=n))

    async def ids(**params: Any) -> list[str]:
        return [
            e["id"]
            for e in (await ok_json(await api.get("/WorkflowExecution", params=params)))["items"]
        ]

    assert await ids(createdAfter="2026-01-01T01:00:00Z") == [str(new), str(mid)]
    assert await ids(createdBefore="2026-01-01T01:00:00Z") == [str(old)]
    assert await ids(
        createdAfter="2026-01-01T00:30:00Z", createdBefore="2026-01-01T01:30:00+00:00"
    ) == [str(mid)]
    assert await ids(idPrefix=str(mid)) == [str(mid)]
    assert await ids(idPrefix=mid.hex[:12].upper()) == [str(mid)]
    assert str(mid) in await ids(idPrefix=str(mid)[:9])  # dashes as the console shows ids
    assert await ids(idPrefix=str(mid), status="COMPLETED") == []
    for bad in (
        {"createdAfter": "yesterday"},
        {"createdBefore": "2026-01-01"},
        {"idPrefix": "xyz"},
        {"idPrefix": "-"},
        {"idPrefix": "0" * 37},
    ):
        r = await api.get("/WorkflowExecution", params=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_counts_per_status_follow_the_filters(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, [{"key": "w", "module": "noop"}], name="counted")
    parked = await insert_workflow(db, [{"key": "w", "module": "elsewhere.only"}], name="parked")
    done = [await start(db, wf, {"i": i}) for i in range(2)]
    waiting = [await start(db, parked, {"i": i}) for i in range(3)]
    for execution_id in done:
        await wait_status(db, execution_id, "COMPLETED")
    r = await api.post(f"/WorkflowExecution/{waiting[0]}/pause")
    assert r.status_code == 200, r.text

    body = await ok_json(await api.get("/WorkflowExecution/counts"))
    assert body["counts"] == {
        "PENDING": 0,
        "RUNNING": 2,
        "PAUSED": 1,
        "COMPLETED": 2,
        "FAILED": 0,
        "CANCELLED": 0,
    }
    assert body["total"] == 5
    body = await ok_json(await api.get("/WorkflowExecution/counts", params={"workflowId": str(wf)}))
    assert body["counts"]["COMPLETED"] == 2 and body["total"] == 2
    body = await ok_json(
        await api.get("/WorkflowExecution/counts", params={"idPrefix": str(waiting[0])})
    )
    assert body["total"] == 1 and body["counts"]["PAUSED"] == 1
    await set_created(db, done[0], datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    body = await ok_json(
        await api.get("/WorkflowExecution/counts", params={"createdBefore": "2021-01-01T00:00:00Z"})
    )
    assert body["total"] == 1 and body["counts"]["COMPLETED"] == 1
    body = await ok_json(
        await api.get("/WorkflowExecution/counts", params={"createdAfter": "2021-01-01T00:00:00Z"})
    )
    assert body["total"] == 4
    r = await api.get("/WorkflowExecution/counts", params={"status": "RUNNING"})
    assert r.status_code == 400  # counts are per status: no status filter


# --- the execution graph ---


async def test_graph_has_every_step_with_its_latest_run(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, CHAIN, name="chain")
    execution_id = await start(db, wf, {})

    async def c_is_pending() -> dict[str, Any] | None:
        graph = await ok_json(await api.get(f"/WorkflowExecution/{execution_id}/graph"))
        nodes = {n["key"]: n for n in graph["nodes"]}
        return graph if nodes["c"]["status"] == "PENDING" else None

    graph = await wait_for(c_is_pending)
    assert graph["executionId"] == str(execution_id) and graph["workflowId"] == str(wf)
    assert (graph["workflowName"], graph["workflowVersion"], graph["status"]) == (
        "chain",
        1,
        "RUNNING",
    )
    assert [n["key"] for n in graph["nodes"]] == ["a", "b", "c"]
    a, b, c = graph["nodes"]
    assert (a["status"], a["attempts"], a["dependsOn"]) == ("SUCCEEDED", 1, [])
    assert b["dependsOn"] == ["a"] and b["finishedAt"] >= a["finishedAt"]
    assert (c["module"], c["circuitBreaker"], c["claimedAt"]) == ("elsewhere.only", "mail", None)
    run = await ok_json(await api.get(f"/Run/{a['runId']}"))
    assert run["stepKey"] == "a" and run["executionId"] == str(execution_id)

    # a new version does not change the graph of an execution that started on the old one
    r = await api.put(
        f"/Workflow/{wf}", json={"name": "chain", "steps": [{"key": "z", "module": "noop"}]}
    )
    assert r.status_code == 200, r.text
    again = await ok_json(await api.get(f"/WorkflowExecution/{execution_id}/graph"))
    assert [n["key"] for n in again["nodes"]] == ["a", "b", "c"] and again["workflowVersion"] == 1


async def test_graph_of_a_step_without_a_run_and_of_nothing(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, CHAIN, name="paused")
    execution_id = await start(db, wf, {})
    await api.post(f"/WorkflowExecution/{execution_id}/pause")
    graph = await ok_json(await api.get(f"/WorkflowExecution/{execution_id}/graph"))
    later = [n for n in graph["nodes"] if n["status"] is None]
    assert later and all(n["attempts"] == 0 and n["runId"] is None for n in later)
    r = await api.get(f"/WorkflowExecution/{uuid.uuid4()}/graph")
    assert r.status_code == 404
    r = await api.get("/WorkflowExecution/not-a-uuid/graph")
    assert r.status_code == 400


# --- workflow versions ---


async def test_versions_newest_first_paged_and_one_by_one(api: httpx.AsyncClient) -> None:
    r = await api.post("/Workflow", json={"name": "v", "steps": [{"key": "s1", "module": "noop"}]})
    wf = r.json()["id"]
    for n in range(2, 5):
        steps = [{"key": f"s{i}", "module": "noop"} for i in range(1, n + 1)]
        r = await api.put(
            f"/Workflow/{wf}", json={"name": f"v{n}", "description": "d", "steps": steps}
        )
        assert r.status_code == 200, r.text
    page = await ok_json(await api.get(f"/Workflow/{wf}/versions", params={"limit": 3}))
    assert [v["version"] for v in page["items"]] == [4, 3, 2]
    assert page["items"][0]["name"] == "v4" and len(page["items"][0]["steps"]) == 4
    rest = await ok_json(
        await api.get(f"/Workflow/{wf}/versions", params={"limit": 3, "cursor": page["nextCursor"]})
    )
    assert [v["version"] for v in rest["items"]] == [1] and rest["nextCursor"] is None
    first = await ok_json(await api.get(f"/Workflow/{wf}/versions/1"))
    assert first == rest["items"][0]
    assert first["steps"][0]["key"] == "s1" and first["description"] is None
    assert first["createdAt"].endswith("Z")
    assert (await api.get(f"/Workflow/{wf}/versions/9")).status_code == 404
    assert (await api.get(f"/Workflow/{uuid.uuid4()}/versions")).status_code == 404
    assert (await api.get(f"/Workflow/{uuid.uuid4()}/versions/1")).status_code == 404
    for cursor in ("abc", "0", "-1", "99999999999"):
        r = await api.get(f"/Workflow/{wf}/versions", params={"cursor": cursor})
        assert r.status_code == 400, (cursor, r.text)
    assert (await api.get(f"/Workflow/{wf}/versions/0")).status_code == 400


# --- dead letters by workflow and reason, and their count ---


async def test_dead_letters_filter_by_workflow_and_reason_and_count(
    api: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, ONCE, name="once")
    other = await insert_workflow(db, ONCE, name="other")
    mine = [await start(db, wf, {"i": i}) for i in range(2)]
    theirs = await start(db, other, {})

    async def all_quarantined() -> bool:
        body = await ok_json(
            await api.get("/DeadLetterQueue/count", params={"status": "QUARANTINED"})
        )
        return body["count"] == 3

    await wait_for(all_quarantined)
    listed = await ok_json(await api.get("/DeadLetterQueue", params={"workflowId": str(wf)}))
    assert sorted(e["executionId"] for e in listed["items"]) == sorted(map(str, mine))
    assert all(e["reason"] == "permanent_error" for e in listed["items"])
    count = await ok_json(await api.get("/DeadLetterQueue/count", params={"workflowId": str(wf)}))
    assert count == {"count": 2}
    by_reason = await ok_json(
        await api.get("/DeadLetterQueue", params={"reason": "attempts_exhausted"})
    )
    assert by_reason["items"] == []
    count = await ok_json(
        await api.get(
            "/DeadLetterQueue/count", params={"reason": "permanent_error", "stepKey": "flaky"}
        )
    )
    assert count == {"count": 3}
    count = await ok_json(
        await api.get(
            "/DeadLetterQueue/count", params={"executionId": str(theirs), "status": "REQUEUED"}
        )
    )
    assert count == {"count": 0}
    assert (await api.get("/DeadLetterQueue", params={"reason": "bored"})).status_code == 400
    assert (await api.get("/DeadLetterQueue/count", params={"workflowId": "x"})).status_code == 400

    # a bulk resolution with a reason touches what the count said, and nothing else
    r = await api.post(
        "/DeadLetterQueue/bulk-discard",
        json={"filter": {"reason": "attempts_exhausted"}, "notes": "none of these"},
    )
    assert r.json() == {"count": 0, "ids": [], "remaining": 0}
    r = await api.post(
        "/DeadLetterQueue/bulk-discard",
        json={"filter": {"workflowId": str(wf), "reason": "permanent_error"}, "notes": "obsolete"},
    )
    assert r.status_code == 200 and r.json()["count"] == 2, r.text
    count = await ok_json(await api.get("/DeadLetterQueue/count", params={"status": "QUARANTINED"}))
    assert count == {"count": 1}


# --- who am I ---


@pytest.mark.parametrize("role", ["viewer", "runner", "operator", "admin"])
async def test_current_key_tells_its_role_and_what_it_may_call(
    engine: Any, db: asyncpg.Pool, role: str
) -> None:
    record, secret = await create_key(db, f"me-{role}", role)
    async with client_for(engine, secret) as c:
        me = await ok_json(await c.get("/ApiKey/current"))
    assert (me["id"], me["name"], me["role"]) == (str(record["id"]), f"me-{role}", role)
    allowed = set(me["allowedOperations"])
    assert "getHealth" in allowed
    assert ("pauseWorkflowExecution" in allowed) == (role in ("operator", "admin"))
    assert ("createWorkflow" in allowed) == (role == "admin")
    assert ("claimRuns" in allowed) == (role in ("runner", "admin"))
    assert ("listWorkflowExecutions" in allowed) == (role != "runner")
    assert "getCurrentApiKey" in allowed


async def test_current_key_without_a_key_is_401(engine: Any) -> None:
    async with client_for(engine, None) as c:
        r = await c.get("/ApiKey/current")
    assert r.status_code == 401
