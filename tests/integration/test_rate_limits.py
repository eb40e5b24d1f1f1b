"""Rate limits against a real PostgreSQL: token buckets read and taken in the claim
(run_claim) with the clock moved by the test, runs over the rate parked without an
attempt (once each, with a token set aside for them), two claimers sharing a bucket,
the API, and the service's own runners."""

from __future__ import annotations

import asyncio
import datetime
import math
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from custom.leases.claim import claim_runs
from custom.leases.finish import complete_run, fail_run
from custom.sql import q
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for
from tests.support import assert_problem, client_for, expect_unchanged

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

SEC = datetime.timedelta(seconds=1)


def limited_step(key: str | None = "api", module: str = "noop") -> dict[str, Any]:
    return {"key": "call", "module": module, "rateLimit": key}


async def add_bucket(
    db: asyncpg.Pool,
    now: datetime.datetime,
    key: str = "api",
    per_second: float = 2,
    burst: int = 2,
) -> asyncpg.Record:
    """A full bucket as POST /RateLimit creates it, at the test's clock `now`."""
    return await db.fetchrow(q("rate_limit_create"), key, per_second, burst, now)


async def start_many(
    db: asyncpg.Pool, steps: list[dict[str, Any]], n: int, name: str = "wf"
) -> None:
    wf = await insert_workflow(db, steps, name=name)
    for i in range(n):
        await start(db, wf, {"i": i})


async def db_now(db: asyncpg.Pool) -> datetime.datetime:
    return await db.fetchval("SELECT now()")


async def leased_count(db: asyncpg.Pool) -> int:
    return await db.fetchval("SELECT count(*) FROM runs WHERE status = 'LEASED'")


async def test_a_claim_takes_the_burst_and_parks_the_rest_until_their_token(db) -> None:
    await start_many(db, [limited_step()], 10)
    t0 = await db_now(db)
    await add_bucket(db, t0)

    claimed = await claim_runs(db, "r1", ["noop"], 10, 60, now=t0)
    assert len(claimed) == 2
    parked = await db.fetch("SELECT * FROM runs WHERE status = 'PENDING' ORDER BY available_at, id")
    assert len(parked) == 8
    for nth, run in enumerate(parked, start=3):
        assert run["attempt"] == 1 and not run["held"] and run["rate_limit_key"] == "api"
        # the n-th run of the claim gets the token that exists (n - 2) / 2 s later,
        # set aside for it
        assert run["available_at"] == run["rate_limit_slot"] == t0 + (nth - 2) / 2 * SEC
    bucket = await db.fetchrow("SELECT * FROM rate_limits WHERE key = 'api'")
    assert (bucket["tokens"], bucket["refilled_at"]) == (2 - 2 - 8, t0)  # 8 set aside
    assert await claim_runs(db, "r1", ["noop"], 10, 60, now=t0) == []

    # one second later the bucket holds two tokens again: two more runs
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + SEC)) == 2
    assert await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + SEC) == []
    attempts = await db.fetchval("SELECT max(attempt) FROM runs")
    assert attempts == 1 and await db.fetchval("SELECT count(*) FROM runs") == 10


async def test_each_run_is_parked_once_behind_those_parked_before_it(db) -> None:
    await start_many(db, [limited_step()], 40)
    t0 = await db_now(db)
    await add_bucket(db, t0)
    # four claims of ten at the same moment: two leased, every other run parked once,
    # each at the next free token (one every 0.5 s), not all at the first ones
    leased = [len(await claim_runs(db, "r1", ["noop"], 10, 60, now=t0)) for _ in range(4)]
    assert leased == [2, 0, 0, 0]
    slots = await db.fetch(
        "SELECT available_at, rate_limit_slot FROM runs WHERE status = 'PENDING'"
        " ORDER BY available_at"
    )
    assert [r["available_at"] for r in slots] == [t0 + k / 2 * SEC for k in range(1, 39)]
    assert all(r["available_at"] == r["rate_limit_slot"] for r in slots)
    # each slot's claim leases its run without taking a token (none is left anyway)
    for k in range(1, 5):
        got = await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + k / 2 * SEC)
        assert len(got) == 1 and got[0]["rate_limit_slot"] is None
    assert await db.fetchval("SELECT tokens FROM rate_limits") == -38


async def test_a_slot_long_past_is_void_and_a_run_woken_early_waits_for_its_slot(db) -> None:
    await start_many(db, [limited_step()], 4)
    t0 = await db_now(db)
    await add_bucket(db, t0)
    await claim_runs(db, "r1", ["noop"], 10, 60, now=t0)  # 2 leased, slots t0+0.5, t0+1
    # woken before its slot (as a breaker closing or a resume would): parked again
    # until then, no token taken
    await db.execute("UPDATE runs SET available_at = $1 WHERE status = 'PENDING'", t0)
    assert await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + 0.25 * SEC) == []
    pending = await db.fetch("SELECT * FROM runs WHERE status = 'PENDING' ORDER BY available_at")
    assert [r["available_at"] for r in pending] == [t0 + 0.5 * SEC, t0 + SEC]
    assert await db.fetchval("SELECT tokens FROM rate_limits") == -2
    # 10 s later (runners were busy): the slots are more than burst / perSecond = 1 s
    # old, void; the runs take tokens from the refilled bucket like any other
    got = await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + 10 * SEC)
    assert len(got) == 2
    bucket = await db.fetchrow("SELECT * FROM rate_limits")
    assert (bucket["tokens"], bucket["refilled_at"]) == (0, t0 + 10 * SEC)


async def test_a_clock_that_goes_back_refills_nothing_and_moves_nothing_back(db) -> None:
    await start_many(db, [limited_step()], 6)
    t0 = await db_now(db)
    await add_bucket(db, t0, burst=4)
    assert len(await claim_runs(db, "r1", ["noop"], 1, 60, now=t0 + SEC)) == 1
    # a claim whose transaction began earlier, taking the lock later: a token of those
    # left, no refill, and the bucket's time stays where it was
    assert len(await claim_runs(db, "r1", ["noop"], 1, 60, now=t0)) == 1
    bucket = await db.fetchrow("SELECT * FROM rate_limits WHERE key = 'api'")
    assert (bucket["tokens"], bucket["refilled_at"]) == (2, t0 + SEC)
    # so the second that passed is not credited twice
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60, now=t0 + SEC)) == 2


async def test_retries_and_later_steps_carry_their_steps_rate_limit(db) -> None:
    steps = [
        {"key": "a", "module": "noop", "rateLimit": "api", "retry": {"maxAttempts": 3}},
        {"key": "b", "module": "noop", "dependsOn": ["a"], "rateLimit": "other"},
        {"key": "c", "module": "noop", "dependsOn": ["b"]},
    ]
    await start_many(db, steps, 1)
    first = (await claim_runs(db, "r1", ["noop"], 10, 60))[0]
    assert first["rate_limit_key"] == "api"
    async with db.acquire() as conn:
        err = {"type": "boom", "message": "try again"}
        await fail_run(conn, first["id"], "r1", first["lease_token"], err, retryable=True)
    retry = await db.fetchrow("SELECT * FROM runs WHERE step_key = 'a' AND attempt = 2")
    assert retry["rate_limit_key"] == "api"
    await db.execute("UPDATE runs SET available_at = now() WHERE id = $1", retry["id"])
    for step, key in [("a", "api"), ("b", "other"), ("c", None)]:
        (run,) = await claim_runs(db, "r1", ["noop"], 10, 60)
        assert (run["step_key"], run["rate_limit_key"]) == (step, key)
        async with db.acquire() as conn:
            await complete_run(conn, run["id"], "r1", run["lease_token"], {})


async def test_two_claimers_never_take_more_than_the_bucket_holds(db) -> None:
    await start_many(db, [limited_step()], 12)
    t0 = await db_now(db)
    await add_bucket(db, t0)
    conns = [await db.acquire() for _ in range(2)]
    try:
        for step in range(13):
            t = step * 0.25
            await asyncio.gather(
                *(
                    claim_runs(c, f"r{i}", ["noop"], 10, 60, now=t0 + t * SEC)
                    for i, c in enumerate(conns)
                )
            )
            # burst 2 + 2 per second, never more, and nothing lost either
            assert await leased_count(db) == min(12, math.floor(2 + 2 * t)), t
    finally:
        for c in conns:
            await db.release(c)
    assert await db.fetchval("SELECT max(attempt) FROM runs") == 1


async def test_an_unknown_key_and_a_step_without_rate_limit_are_not_limited(db) -> None:
    await start_many(db, [limited_step("nobody")], 4, name="unknown")
    await start_many(db, [limited_step(None)], 4, name="plain")
    await start_many(db, [limited_step("api")], 4, name="limited")
    t0 = await db_now(db)
    await add_bucket(db, t0, burst=1)
    claimed = await claim_runs(db, "r1", ["noop"], 20, 60, now=t0)
    keys = sorted(str(r["rate_limit_key"]) for r in claimed)
    assert keys == ["None"] * 4 + ["api"] + ["nobody"] * 4


async def test_a_change_of_rate_and_a_delete_free_the_parked_runs(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    await start_many(db, [limited_step()], 6)
    r = await client.post("/RateLimit", json={"key": "api", "perSecond": 0.001, "burst": 1})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60)) == 1
    # the other five wait ~1000 s each for a token at 0.001/s
    assert await claim_runs(db, "r1", ["noop"], 10, 60) == []
    far = await db.fetchval("SELECT min(available_at) - now() FROM runs WHERE status = 'PENDING'")
    assert far > 900 * SEC

    r = await client.put(f"/RateLimit/{rid}", json={"perSecond": 1000000, "burst": 2})
    assert r.status_code == 200, r.text
    assert (r.json()["perSecond"], r.json()["burst"]) == (1000000, 2)
    assert r.json()["availableTokens"] < 1  # tokens earned at the old rate stay, no more
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60)) == 2  # the new burst

    await client.put(f"/RateLimit/{rid}", json={"perSecond": 0.001})
    await claim_runs(db, "r1", ["noop"], 10, 60)  # parks the rest for a long while again
    pending = await db.fetchval("SELECT count(*) FROM runs WHERE status = 'PENDING'")
    assert pending >= 1
    assert (await client.delete(f"/RateLimit/{rid}")).status_code == 204
    assert len(await claim_runs(db, "r1", ["noop"], 10, 60)) == pending  # unlimited now
    assert_problem(await client.get(f"/RateLimit/{rid}"), 404)


async def test_the_api_creates_lists_and_refuses_bad_writes(
    client: httpx.AsyncClient, app: Any, db: asyncpg.Pool
) -> None:
    r = await client.post("/RateLimit", json={"key": "api", "perSecond": 5, "burst": 10})
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == {
        "id",
        "key",
        "perSecond",
        "burst",
        "availableTokens",
        "createdAt",
        "updatedAt",
    }
    assert (created["key"], created["perSecond"], created["burst"]) == ("api", 5, 10)
    assert created["availableTokens"] == 10  # a new bucket is full
    rid = created["id"]
    got = (await client.get(f"/RateLimit/{rid}")).json()
    assert got["availableTokens"] == 10 and got["key"] == "api"
    await client.post("/RateLimit", json={"key": "other", "perSecond": 1, "burst": 1})
    listed = (await client.get("/RateLimit")).json()
    assert sorted(i["key"] for i in listed["items"]) == ["api", "other"]
    assert all("availableTokens" in i for i in listed["items"])
    only = (await client.get("/RateLimit", params={"key": "api"})).json()
    assert [i["id"] for i in only["items"]] == [rid]

    dup = {"key": "api", "perSecond": 1, "burst": 1}
    await expect_unchanged(db, lambda: client.post("/RateLimit", json=dup), 409, "api")
    for bad in [
        {"key": "x", "perSecond": 0, "burst": 1},
        {"key": "x", "perSecond": 1, "burst": 0},
        {"key": "", "perSecond": 1, "burst": 1},
        {"key": "x", "perSecond": "fast", "burst": 1},
        {"key": "x", "burst": 1},
        {"key": "x", "perSecond": 1, "burst": 1, "tokens": 5},
    ]:
        await expect_unchanged(db, lambda b=bad: client.post("/RateLimit", json=b), 400)
    for bad in [{}, {"burst": 1.5}, {"perSecond": -1}, {"key": "renamed"}]:
        await expect_unchanged(db, lambda b=bad: client.put(f"/RateLimit/{rid}", json=b), 400)
    missing = str(uuid.uuid4())
    await expect_unchanged(db, lambda: client.put(f"/RateLimit/{missing}", json={"burst": 2}), 404)
    await expect_unchanged(db, lambda: client.delete(f"/RateLimit/{missing}"), 404)
    await expect_unchanged(db, lambda: client.get("/RateLimit/not-a-uuid"), 400)

    r = await client.post("/ApiKey", json={"name": "looker", "role": "viewer"})
    async with client_for(app, key=r.json()["secret"]) as viewer:
        assert (await viewer.get(f"/RateLimit/{rid}")).status_code == 200
        await expect_unchanged(db, lambda: viewer.post("/RateLimit", json=dup), 403)
        await expect_unchanged(db, lambda: viewer.put(f"/RateLimit/{rid}", json={"burst": 1}), 403)
        await expect_unchanged(db, lambda: viewer.delete(f"/RateLimit/{rid}"), 403)


async def test_the_service_runs_rate_limited_steps_at_the_rate_end_to_end(
    db: asyncpg.Pool, db_url: str
) -> None:
    async with serve_engine(db_url, runners=2) as served, client_for(served) as client:
        r = await client.post("/RateLimit", json={"key": "five", "perSecond": 5, "burst": 5})
        assert r.status_code == 201, r.text
        steps = [{"key": "call", "module": "noop", "rateLimit": "five"}]
        r = await client.post("/Workflow", json={"name": "limited", "steps": steps})
        assert r.status_code == 201, r.text
        wf = r.json()["id"]
        began = time.monotonic()
        for i in range(20):
            r = await client.post("/WorkflowExecution", json={"workflowId": wf, "inputs": {"i": i}})
            assert r.status_code == 201, r.text

        async def all_done() -> bool:
            n = await db.fetchval(
                "SELECT count(*) FROM workflow_executions WHERE status = 'COMPLETED'"
            )
            return n == 20

        await wait_for(all_done, within=40, interval=0.1)
        took = time.monotonic() - began
    # 5 at once, then 5 a second: the 20th run cannot start before ~3 s
    assert took >= 2.9, took
    runs = await db.fetch("SELECT * FROM runs")
    assert len(runs) == 20 and {r["attempt"] for r in runs} == {1}
    assert {r["status"] for r in runs} == {"SUCCEEDED"}
    claimed = sorted(r["claimed_at"] for r in runs)
    # never more than burst + rate * elapsed since the first claim (claimed_at is when
    # a claim's transaction began, which may precede its turn at the bucket's lock:
    # 0.2 s of slack, one token)
    for i, at in enumerate(claimed):
        assert i + 1 <= 5 + 5 * ((at - claimed[0]).total_seconds() + 0.2), (i, at)
