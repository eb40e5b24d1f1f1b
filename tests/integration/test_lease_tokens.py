"""Lease tokens cannot be guessed (issue 11, item 2).

Tried from outside before: tokens came from a sequence (one claim gave 10146,
10147, 10148), and failing a neighbour's run with its guessed token sent that run
to the dead-letter queue. Now a token is the fencing number bound to 128 random
bits kept only as a hash: every guess is a 409 (or a 403 for a runnerId the key
may not use) that changes nothing, and no read shows a token.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import asyncpg
import httpx
import pytest

from custom.auth.keys import create_key
from custom.leases.claim import LeaseLost
from custom.leases.finish import complete_run, fail_run
from tests.engine_support import insert_workflow, start
from tests.support import client_for, expect_unchanged

pytestmark = pytest.mark.asyncio
TOKEN = re.compile(r"^([0-9]+)\.([0-9a-f]{32})$")


async def claim(c: httpx.AsyncClient, runner_id: str, limit: int) -> list[dict[str, Any]]:
    r = await c.post("/Run/claim", json={"runnerId": runner_id, "modules": ["ext.x"],
                                         "limit": limit})  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def ready_runs(db: asyncpg.Pool, n: int) -> None:
    wf = await insert_workflow(db, [{"key": "x", "module": "ext.x"}])
    for i in range(n):
        await start(db, wf, {"n": i})


async def test_a_token_is_the_fencing_number_bound_to_a_secret_stored_only_hashed(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    await ready_runs(db, 3)
    runs = await claim(client, "a", 3)
    parts = [TOKEN.match(run["leaseToken"]) for run in runs]
    assert all(parts), [run["leaseToken"] for run in runs]
    fences = sorted(int(p.group(1)) for p in parts if p)
    assert fences == sorted(set(fences))  # ordered, one per claim of a run
    secrets = {p.group(2) for p in parts if p}
    assert len(secrets) == 3
    for run, part in zip(runs, parts, strict=True):
        assert part is not None
        row = await db.fetchrow(
            "SELECT lease_token, lease_secret_hash FROM runs WHERE id = $1", run["id"]
        )
        assert row["lease_token"] == int(part.group(1))
        assert row["lease_secret_hash"] == hashlib.sha256(part.group(2).encode()).digest()
        for table in ("runs", "runner_leases", "workflow_executions"):
            hits = await db.fetchval(
                f"SELECT count(*) FROM {table} t WHERE strpos(t::text, $1) > 0", part.group(2)
            )
            assert hits == 0, f"the secret is stored in {table}"


async def test_no_read_shows_a_token(app: Any, client: httpx.AsyncClient, db) -> None:
    await ready_runs(db, 2)
    runs = await claim(client, "a", 2)
    _, viewer = await create_key(db, "watcher", "viewer")
    async with client_for(app, viewer) as c:
        one = (await c.get(f"/Run/{runs[0]['id']}")).json()
        assert one["status"] == "LEASED" and one["leaseToken"] is None
        listed = (await c.get("/Run", params={"status": "LEASED"})).json()["items"]
        assert len(listed) == 2
        assert all(item.get("leaseToken") is None for item in listed)
        text = (await c.get("/Run")).text + (await c.get(f"/Run/{runs[1]['id']}")).text
    for run in runs:
        assert run["leaseToken"].split(".")[1] not in text


async def test_guessing_a_neighbours_token_is_a_409_that_changes_nothing(
    app: Any, db: asyncpg.Pool
) -> None:
    """The attack as tried: runner key `b` fails runner `a`'s run with a token guessed
    from its own (the neighbouring fencing numbers), and with `a`'s runnerId."""
    await ready_runs(db, 4)
    _, key_a = await create_key(db, "a", "runner")
    _, key_b = await create_key(db, "b", "runner")
    async with client_for(app, key_a) as as_a, client_for(app, key_b) as as_b:
        victims = await claim(as_a, "a", 3)
        (mine,) = await claim(as_b, "b", 1)
        my_fence, my_secret = mine["leaseToken"].split(".")
        victim = victims[1]
        fence = int(victim["leaseToken"].split(".")[0])
        guesses = [
            str(fence),  # what used to be the whole token
            f"{fence}.{my_secret}",  # the right number with another run's secret
            f"{fence}.{'0' * 32}",
            f"{int(my_fence) - 1}.{my_secret}",
            f"{int(my_fence) + 1}.{my_secret}",
            *[f"{f}.{my_secret}" for f in range(fence - 3, fence + 4)],
        ]
        error = {"message": "poisoned", "type": "x"}
        for guess in guesses:
            for verb, body in (
                ("fail", {"leaseToken": guess, "error": error, "retryable": False}),
                ("complete", {"leaseToken": guess, "output": {"stolen": True}}),
                ("heartbeat", {"leaseToken": guess}),
            ):
                url = f"/Run/{victim['id']}/{verb}"

                async def as_itself(url: str = url, body: dict = body) -> httpx.Response:
                    return await as_b.post(url, json={"runnerId": "b", **body})

                async def as_the_victim(url: str = url, body: dict = body) -> httpx.Response:
                    return await as_b.post(url, json={"runnerId": "a", **body})

                await expect_unchanged(db, as_itself, 409)
                await expect_unchanged(db, as_the_victim, 403)

        # a token of the old shape (a number) is no token at all
        async def as_number() -> httpx.Response:
            return await as_b.post(
                f"/Run/{victim['id']}/fail",
                json={"runnerId": "b", "leaseToken": fence, "error": error},
            )

        await expect_unchanged(db, as_number, 400, "leaseToken")
        assert await db.fetchval("SELECT count(*) FROM dead_letters") == 0

        # the real holder, with its real token, still can
        r = await as_a.post(
            f"/Run/{victim['id']}/complete",
            json={"runnerId": "a", "leaseToken": victim["leaseToken"], "output": {"ok": 1}},
        )
        assert r.status_code == 200, r.text


async def test_an_admin_without_the_secret_cannot_finish_a_run_either(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    await ready_runs(db, 1)
    (run,) = await claim(client, "a", 1)
    fence = run["leaseToken"].split(".")[0]

    async def send() -> httpx.Response:
        return await client.post(
            f"/Run/{run['id']}/fail",
            json={"runnerId": "a", "leaseToken": f"{fence}.{'f' * 32}", "error": {"message": "x"}},
        )

    await expect_unchanged(db, send, 409, "not leased")


async def test_rest_and_in_process_runners_cannot_finish_each_others_runs(
    client: httpx.AsyncClient, db: asyncpg.Pool
) -> None:
    """The service's own runners report without a secret: that matches no REST claim."""
    await ready_runs(db, 1)
    (run,) = await claim(client, "a", 1)
    fence = int(run["leaseToken"].split(".")[0])
    async with db.acquire() as conn:
        with pytest.raises(LeaseLost):
            await complete_run(conn, run["id"], "a", fence, {"x": 1})
        with pytest.raises(LeaseLost):
            await fail_run(conn, run["id"], "a", fence, {"message": "x"}, retryable=False)
    assert await db.fetchval("SELECT status FROM runs WHERE id = $1", run["id"]) == "LEASED"
