"""The process's one connection pool (asyncpg): hot paths, CRUD and reads alike.

SQLAlchemy is not part of the running service: it only serves Alembic, which
compares the SQLModel tables (generated/tables.py) with the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg

from custom.db.urls import asyncpg_url


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


@dataclass
class Database:
    """The pool of one process, with the URL it was opened on."""

    url: str
    pool: asyncpg.Pool

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 10) -> Database:
        # no floor of idle connections: while the database is down, asyncpg's upkeep of a
        # floor logs a traceback at every retry; connections are made when needed and kept
        # (after an outage, a dead one fails once, transiently, and is replaced)
        return cls(url, await create_pool(url, min_size=0, max_size=pool_size))

    async def close(self) -> None:
        await self.pool.close()

    def state(self) -> dict[str, Any]:
        return {"pool": self.pool}
