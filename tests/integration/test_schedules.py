"""Schedules and delayed starts on a real PostgreSQL, with the engine's clock moved
by the test (no sleeping): firing, catch-up, overlap SKIP, paused, trigger, API."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from custom.clock import ManualClock
from custom.executions.context import EngineContext
from custom.schedules.firing import fire_due, next_fire
from generated.repositories.schedule import ScheduleRepository
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, wait_for, wait_status
from tests.support import assert_problem, client_for, expect_unchanged

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

T0 = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)  # ManualClock's start


async def _schedule(db: asyncpg.Pool, wf: uuid.UUID, clock: ManualClock, **fields: Any):
    values: dict[str, Any] = {
        "workflow_id": wf,
        "cron": None,
        "timezone": "UTC",
        "interval_seconds": None,
        "inputs": {"n": 1},
        "paused": False,
        "overlap": "ALLOW",
        "catchup_window_seconds": 60,
        **fields,
    }
    values["next_fire_at"] = next_fire(values, clock.db_now())
    async with db.acquire() as conn:
        return await ScheduleRepository(conn).create(values)


async def _executions(db: asyncpg.Pool, schedule_id: uuid.UUID) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT * FROM workflow_executions WHERE schedule_id = $1 ORDER BY idempotency_key",
        schedule_id,
    )


async def test_an_interval_schedule_fires_each_moment_once(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    s = await _schedule(db, wf, clock, interval_seconds=60)
    assert s["next_fire_at"] == T0 + datetime.timedelta(seconds=60)
    assert not (await fire_due(db, ctx)).fired  # not due yet
    await clock.advance(60)
    assert len((await fire_due(db, ctx)).fired) == 1
    assert not (await fire_due(db, ctx)).fired  # that moment fired already
    await clock.advance(60)
    await fire_due(db, ctx)
    rows = await _executions(db, s["id"])
    assert [r["idempotency_key"] for r in rows] == [
        f"schedule:{s['id']}:2030-01-01T00:01:00.000000Z",
        f"schedule:{s['id']}:2030-01-01T00:02:00.000000Z",
    ]
    assert all(r["status"] == "RUNNING" and r["inputs"] == {"n": 1} for r in rows)
    after = await db.fetchrow("SELECT * FROM schedules WHERE id = $1", s["id"])
    assert after["last_fire_at"] == T0 + datetime.timedelta(seconds=120)
    assert after["next_fire_at"] == T0 + datetime.timedelta(seconds=180)


async def test_a_cron_schedule_in_a_zone_fires_across_the_dst_change(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    # 2030-03-10 is the spring-forward Sunday in New York: 02:30 does not exist
    clock = ManualClock(datetime.datetime(2030, 3, 9, 12, tzinfo=datetime.UTC))
    ctx = EngineContext(clock=clock)
    s = await _schedule(db, wf, clock, cron="30 2 * * *", timezone="America/New_York")
    assert s["next_fire_at"] == datetime.datetime(2030, 3, 10, 7, 30, tzinfo=datetime.UTC)
    await clock.advance(19.5 * 3600 - 1)  # 07:29:59 UTC
    assert not (await fire_due(db, ctx)).fired
    await clock.advance(1)
    assert len((await fire_due(db, ctx)).fired) == 1
    after = await db.fetchrow("SELECT next_fire_at FROM schedules WHERE id = $1", s["id"])
    # the next day 02:30 is EDT: 06:30 UTC
    assert after["next_fire_at"] == datetime.datetime(2030, 3, 11, 6, 30, tzinfo=datetime.UTC)


async def test_after_a_downtime_firings_in_the_window_run_once_each_older_skipped(
    db: asyncpg.Pool,
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    s = await _schedule(db, wf, clock, interval_seconds=60, catchup_window_seconds=180)
    await clock.advance(600)  # down for 10 minutes: firings at 1..10 min missed
    done = await fire_due(db, ctx)
    keys = [r["idempotency_key"].rsplit(":", 1)[0][-5:] for r in await _executions(db, s["id"])]
    # the firings at most 3 minutes old: 7, 8, 9 and 10 minutes
    assert len(done.fired) == 4 and done.skipped_old == 1
    assert keys == ["00:07", "00:08", "00:09", "00:10"], keys
    assert not (await fire_due(db, ctx)).fired


async def test_overlap_skip_skips_while_the_previous_execution_is_not_finished(
    db: asyncpg.Pool,
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    s = await _schedule(db, wf, clock, interval_seconds=60, overlap="SKIP")
    await clock.advance(60)
    assert len((await fire_due(db, ctx)).fired) == 1
    await clock.advance(60)
    done = await fire_due(db, ctx)
    assert not done.fired and done.skipped_overlap == 1
    await db.execute(
        "UPDATE workflow_executions SET status = 'COMPLETED' WHERE schedule_id = $1", s["id"]
    )
    await clock.advance(60)
    assert len((await fire_due(db, ctx)).fired) == 1
    assert len(await _executions(db, s["id"])) == 2


async def test_a_paused_schedule_does_not_fire(db: asyncpg.Pool) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    s = await _schedule(db, wf, clock, interval_seconds=60, paused=True)
    await clock.advance(300)
    assert not (await fire_due(db, ctx)).fired
    assert await _executions(db, s["id"]) == []


async def test_a_delayed_execution_stays_pending_until_its_start(db: asyncpg.Pool) -> None:
    from custom.executions.start import Plan, start_execution

    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    clock = ManualClock()
    ctx = EngineContext(clock=clock)
    start_at = T0 + datetime.timedelta(seconds=90)
    async with db.acquire() as conn:
        started = await start_execution(
            conn, wf, {}, ctx=ctx, plan=Plan(start_at=start_at, now=clock.db_now())
        )
    e = started.execution
    assert (e["status"], e["start_at"], e["started_at"]) == ("PENDING", start_at, None)
    assert await db.fetchval("SELECT count(*) FROM runs WHERE execution_id = $1", e["id"]) == 0
    await clock.advance(89)
    assert (await fire_due(db, ctx)).released == 0
    await clock.advance(1)
    assert (await fire_due(db, ctx)).released == 1
    status = await db.fetchval("SELECT status FROM workflow_executions WHERE id = $1", e["id"])
    run = await db.fetchrow("SELECT * FROM runs WHERE execution_id = $1", e["id"])
    # ready from startAt: dispatch latency counts from it
    assert (status, run["status"], run["available_at"]) == ("RUNNING", "PENDING", start_at)


async def test_the_api_creates_validates_pauses_and_triggers_schedules(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    body = {"workflowId": str(wf), "cron": "0 9 * * MON-FRI", "timezone": "Europe/Paris"}
    r = await client.post("/Schedule", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["overlap"] == "ALLOW" and created["paused"] is False
    assert created["nextFireAt"] and created["lastFireAt"] is None
    sid = created["id"]
    r = await client.put(f"/Schedule/{sid}", json={**body, "paused": True})
    assert r.status_code == 200 and r.json()["paused"] is True
    r = await client.post(f"/Schedule/{sid}/trigger")
    assert r.status_code == 201, r.text
    execution = r.json()
    assert execution["scheduleId"] == sid and execution["status"] == "RUNNING"
    assert execution["idempotencyKey"].startswith(f"schedule:{sid}:")
    got = (await client.get(f"/Schedule/{sid}")).json()
    assert got["lastFireAt"] is not None
    listed = (await client.get("/Schedule", params={"workflowId": str(wf)})).json()
    assert [s["id"] for s in listed["items"]] == [sid]
    for bad, word in [
        ({"workflowId": str(wf)}, "exactly one"),
        ({**body, "intervalSeconds": 60}, "exactly one"),
        ({**body, "cron": "61 * * * *"}, "minute"),
        ({**body, "timezone": "Mars/Olympus"}, "time zone"),
        ({**body, "cron": "0 0 31 2 *"}, "never fires"),
    ]:
        await expect_unchanged(db, lambda b=bad: client.post("/Schedule", json=b), 422, word)
    missing = {**body, "workflowId": str(uuid.uuid4())}
    await expect_unchanged(db, lambda: client.post("/Schedule", json=missing), 404)
    assert (await client.delete(f"/Schedule/{sid}")).status_code == 204
    assert_problem(await client.post(f"/Schedule/{sid}/trigger"), 404)


async def test_the_api_delays_a_start_and_refuses_both_ways_at_once(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "ext.never"}])
    r = await client.post("/WorkflowExecution", json={"workflowId": str(wf), "delaySeconds": 3600})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "PENDING" and r.json()["startAt"]
    assert "delaySeconds" not in r.json()
    later = "2099-01-01T00:00:00Z"
    r = await client.post(
        "/WorkflowExecution", json={"workflowId": str(wf), "startAt": later, "inputs": {"x": 1}}
    )
    assert r.status_code == 201 and r.json()["startAt"].startswith("2099-01-01")
    both = {"workflowId": str(wf), "startAt": later, "delaySeconds": 5, "inputs": {"y": 2}}
    await expect_unchanged(
        db, lambda: client.post("/WorkflowExecution", json=both), 422, "not both"
    )


async def test_the_service_runs_a_delayed_start_and_a_schedule_end_to_end(
    db: asyncpg.Pool, db_url: str
) -> None:
    wf = await insert_workflow(db, [{"key": "a", "module": "noop"}])
    async with serve_engine(db_url, runners=2, scheduler_interval_seconds=0.05) as served:
        async with client_for(served) as client:
            r = await client.post(
                "/WorkflowExecution", json={"workflowId": str(wf), "delaySeconds": 0.5}
            )
            assert r.status_code == 201 and r.json()["status"] == "PENDING"
            await wait_status(db, uuid.UUID(r.json()["id"]), "COMPLETED", within=20)
            r = await client.post("/Schedule", json={"workflowId": str(wf), "intervalSeconds": 1})
            sid = uuid.UUID(r.json()["id"])

            async def fired() -> bool:
                rows = await _executions(db, sid)
                return bool(rows) and rows[0]["status"] == "COMPLETED"

            await wait_for(fired, 20, 0.05)
