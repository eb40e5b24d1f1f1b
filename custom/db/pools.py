"""Connection pools: a raw asyncpg pool (hot path) and a SQLAlchemy engine (CRUD)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from custom.db.urls import asyncpg_url, sqlalchemy_url


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb in and out as Python values, so SQL files take and give plain dicts
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's default reset (RESET ALL, UNLISTEN *, CLOSE ALL, unlock):
    four statements per release that nothing here needs, since no pooled connection
    changes session state (LISTEN uses a connection of its own; asyncpg still rolls
    back a transaction left open)."""


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        asyncpg_url(url),
        reset=_keep_session,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        command_timeout=60,
    )


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    # pre-ping: after a database restart every pooled connection is dead, and CRUD
    # would answer one error per connection before the pool notices
    return create_async_engine(
        sqlalchemy_url(url), pool_size=pool_size, max_overflow=5, pool_pre_ping=True
    )


@dataclass
class Database:
    """Both pools of one process, opened and closed together."""

    url: str
    pool: asyncpg.Pool
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 10) -> Database:
        # no floor of idle connections: while the database is down, asyncpg's upkeep of a
        # floor logs a traceback at every retry; connections are made when needed and kept
        pool = await create_pool(url, min_size=0, max_size=pool_size)
        engine = create_engine(url, pool_size=max(2, pool_size // 2))
        maker = async_sessionmaker(engine, expire_on_commit=False)
        return cls(url, pool, engine, maker)

    async def close(self) -> None:
        await self.pool.close()
        await self.engine.dispose()

    async def drop_dead_connections(self) -> None:
        """After an outage: the CRUD engine's idle connections died with the server and
        would each fail one request; asyncpg's pool replaces its dead ones itself."""
        await self.engine.dispose()

    def state(self) -> dict[str, Any]:
        return {"pool": self.pool, "sessionmaker": self.sessionmaker, "database": self}
