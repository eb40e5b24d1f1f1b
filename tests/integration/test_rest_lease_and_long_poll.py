"""REST runners: a heartbeat keeps the lease length claimed with; the long-poll is woken
by the engine's notifications instead of querying in a loop."""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Any

import asyncpg
import httpx
import pytest

import custom.leases.claim as claim_module
from generated.constants import NOTIFY_CHANNEL
from tests.conftest import serve_engine
from tests.engine_support import insert_workflow, start, wait_for
from tests.support import client_for

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_heartbeat_without_a_length_keeps_the_claimed_one_and_a_dead_runner_is_reclaimed(
    db: asyncpg.Pool, db_url: str
) -> None:
    wf = await insert_workflow(db, [{"key": "send", "module": "mailer.send"}])
    execution_id = await start(db, wf)
    async with serve_engine(db_url, runners=0, lease_seconds=120) as app, client_for(app) as api:
        r = await api.post(
            "/Run/claim",
            json={"runnerId": "m-1", "modules": ["mailer.send"], "leaseSeconds": 2},
        )
        (run,) = r.json()["items"]
        hb = await api.post(
            f"/Run/{run['id']}/heartbeat", json={"runnerId": "m-1", "leaseToken": run["leaseToken"]}
        )
        assert hb.status_code == 200, hb.text
        now = datetime.datetime.now(datetime.UTC)
        left = (_at(hb.json()["leaseExpiresAt"]) - now).total_seconds()
        assert 0 < left <= 2.5, left  # the 2 s it claimed with, not the server's 120 s
        # a heartbeat may name another length; it sticks for the next ones
        hb = await api.post(
            f"/Run/{run['id']}/heartbeat",
            json={"runnerId": "m-1", "leaseToken": run["leaseToken"], "leaseSeconds": 3},
        )
        left = (_at(hb.json()["leaseExpiresAt"]) - datetime.datetime.now(datetime.UTC)).seconds
        assert 2 <= left <= 3
        # the runner stops: its run is reclaimed within seconds, not two minutes
        stopped = time.monotonic()

        async def reclaimed() -> bool:
            return await db.fetchval("SELECT count(*) FROM runs WHERE status = 'PENDING'") == 1

        await wait_for(reclaimed, 10)
        assert time.monotonic() - stopped < 6
    runs = await db.fetch(
        "SELECT attempt, status, error FROM runs WHERE execution_id = $1 ORDER BY attempt",
        execution_id,
    )
    assert [(r["attempt"], r["status"]) for r in runs] == [(1, "FAILED"), (2, "PENDING")]
    assert runs[0]["error"]["type"] == "lease_expired"


class ClaimSpy:
    """Counts the claim statements the REST handler runs (the database is real)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = claim_module.claim_runs

        async def counted(conn: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(conn, asyncpg.Pool):  # not its own call on the acquired connection
                self.calls += 1
            return await real(conn, *args, **kwargs)

        monkeypatch.setattr(claim_module, "claim_runs", counted)


async def test_long_poll_sleeps_until_woken_and_takes_work_at_once(
    db: asyncpg.Pool, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wf = await insert_workflow(db, [{"key": "send", "module": "mailer.send"}])
    spy = ClaimSpy(monkeypatch)
    body = {"runnerId": "m-1", "modules": ["mailer.send"], "waitSeconds": 2}
    async with serve_engine(db_url, runners=0) as app, client_for(app) as api:
        # nothing to do: a 2 s long-poll is one claim (or two), not one every 50 ms
        began = time.monotonic()
        r = await api.post("/Run/claim", json=body)
        assert r.json()["items"] == [] and time.monotonic() - began >= 1.9
        assert spy.calls <= 2, spy.calls

        # work submitted while a long-poll waits is handed over at once
        async def submit_later() -> float:
            await asyncio.sleep(0.5)
            await start(db, wf)
            return time.monotonic()

        submitting = asyncio.create_task(submit_later())
        r = await api.post("/Run/claim", json={**body, "waitSeconds": 20})
        answered = time.monotonic()
        submitted = await submitting
        assert len(r.json()["items"]) == 1
        assert answered - submitted < 1.0

        # a NOTIFY from another process (here: another connection) wakes it too
        spy.calls = 0
        waiting = asyncio.create_task(api.post("/Run/claim", json={**body, "waitSeconds": 20}))
        await asyncio.sleep(0.5)
        assert spy.calls == 1
        other = await asyncpg.connect(db_url)
        try:
            await other.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)

            async def claimed_again() -> bool:
                return spy.calls >= 2

            await wait_for(claimed_again, 3, 0.01)
        finally:
            await other.close()
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)


async def test_long_poll_answers_an_empty_list_for_zero_wait(client: httpx.AsyncClient) -> None:
    began = time.monotonic()
    r = await client.post("/Run/claim", json={"runnerId": "m-1", "modules": ["x"]})
    assert r.status_code == 200 and r.json()["items"] == []
    assert time.monotonic() - began < 1
