"""Test support: a real PostgreSQL per test run, a fresh database per test, the app in-process."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from custom.db.urls import asyncpg_url

ADMIN_KEY = "vk_test_admin_key_for_the_suite_only_0000000000"
TEMPLATE_DB = "valkyr_template"


def server_url() -> tuple[str, bool]:
    """(URL of a server to create test databases on, whether it is embedded)."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return asyncpg_url(url), False
    from custom.db.embedded import start_embedded

    # short path: the server's Unix socket lives in it
    base = Path(tempfile.mkdtemp(prefix="vk", dir="/tmp"))
    return start_embedded(base, throwaway=True).url, True


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def create_template(url: str) -> None:
    from custom.db.migrate import upgrade_async

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    finally:
        await conn.close()
    await upgrade_async(with_database(url, TEMPLATE_DB))


async def clone_database(url: str, template: str | None = TEMPLATE_DB) -> str:
    """A fresh, migrated database for one test (a copy of the template: ~50 ms); an
    empty one, without even the schema, when `template` is None."""
    name = "t_" + uuid.uuid4().hex[:16]
    copy = f" TEMPLATE {template}" if template else ""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE DATABASE {name}{copy}")
    finally:
        await conn.close()
    return with_database(url, name)


async def drop_database(url: str, db_url: str) -> None:
    name = urlsplit(db_url).path.lstrip("/")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


class Served:
    """An app after startup: requests get the lifespan state, as a server gives them."""

    def __init__(self, app: Any, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": dict(self.state)}
        await self.app(scope, receive, send)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[Served]:
    """Run an ASGI app's lifespan (startup before, shutdown after)."""
    to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    state: dict[str, Any] = {}
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    task = asyncio.create_task(app(scope, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    started = await asyncio.wait_for(from_app.get(), 60)
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"app failed to start: {started}")
    try:
        yield Served(app, state)
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(from_app.get(), 60)
        await asyncio.wait_for(task, 10)


def client_for(app: Any, key: str | None = ADMIN_KEY) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver/v1",
        headers=headers,
        timeout=30,
    )
