"""Fixtures: one PostgreSQL server per run, a fresh migrated database per test."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from custom.observability import tracing
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
        # no retention pass unless a test asks for one: it would delete what tests
        # move into the past
        "retention_days": 0,
    }
    values.update(overrides)
    return Settings(**values)


# timings short enough that an engine test sees heartbeats, polls and reaps in seconds
FAST_ENGINE: dict[str, Any] = {
    "heartbeat_seconds": 0.2,
    "poll_seconds": 0.1,
    "reaper_interval_seconds": 0.5,
    "lease_seconds": 5,
}


@asynccontextmanager
async def serve_engine(db_url: str, **overrides: Any) -> AsyncIterator[Any]:
    """The whole service with in-process runners and FAST_ENGINE timings (overridable)."""
    from custom.app import create_app

    settings = make_settings(db_url, **{**FAST_ENGINE, **overrides})
    async with lifespan(create_app(settings)) as served:
        yield served


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


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    try:
        yield exporter
    finally:
        tracing.use_tracer_provider(None)
        provider.shutdown()
