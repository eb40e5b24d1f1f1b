"""Fixtures: one PostgreSQL server per run, a fresh migrated database per test."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from custom.settings import Settings
from tests.support import (
    ADMIN_KEY,
    client_for,
    clone_database,
    create_template,
    drop_database,
    lifespan,
    server_url,
)

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    url, _embedded = server_url()
    yield url


@pytest_asyncio.fixture(scope="session")
async def pg_template(pg_server: str) -> str:
    await create_template(pg_server)
    return pg_server


@pytest_asyncio.fixture
async def db_url(pg_template: str) -> AsyncIterator[str]:
    url = await clone_database(pg_template)
    yield url
    await drop_database(pg_template, url)


@pytest_asyncio.fixture
async def db(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    from custom.db.pools import create_pool

    pool = await create_pool(db_url, max_size=5)
    yield pool
    await pool.close()


def make_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "migrate": False,
        "runners": 0,
        "bootstrap_key": ADMIN_KEY,
        "db_pool_size": 5,
    }
    values.update(overrides)
    return Settings(**values)


@pytest_asyncio.fixture
async def app(db_url: str) -> AsyncIterator[Any]:
    from custom.app import create_app

    application = create_app(make_settings(db_url))
    async with lifespan(application) as served:
        yield served


@pytest_asyncio.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c
