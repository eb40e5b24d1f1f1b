"""Rate limits over REST: token buckets shown with the tokens they hold now (the
stored count is as of their last refill), created full, their rate and burst
changed in place, deleted. The claim (lease.sql run_claim) is what takes tokens;
a change or a delete frees the runs the bucket parked, so the new rate (or none)
applies to them at once rather than when their old token was due."""

from __future__ import annotations

import datetime
from typing import Any

import asyncpg
from connexion import request

from custom.executions.context import EngineContext
from custom.sql import q
from generated.repositories.rate_limit import SELECT, RateLimitRepository
from generated.runtime import (
    listing,
    no_content,
    not_found,
    ok,
    parse_uuid,
    pool,
    problem,
    transaction,
)
from generated.serializers import rate_limit as serialize
from generated.store import list_page

# the list's filters: query parameter → (column, comparison, kind), as generated CRUD has
FILTERS: dict[str, tuple[str, str, str]] = {"key": ("key", "eq", "text")}


def _clock() -> datetime.datetime | None:
    """The engine's clock for SQL (None: the database's now())."""
    ctx: EngineContext = request.state.engine.context
    now: datetime.datetime | None = ctx.clock.db_now()
    return now


def _shown(row: asyncpg.Record) -> Any:
    return serialize(row, availableTokens=row["available_tokens"])


async def _tokens_now(conn: asyncpg.Connection | asyncpg.Pool, rows: list[Any]) -> dict[Any, float]:
    found = await conn.fetch(q("rate_limits_tokens_now"), [r["id"] for r in rows], _clock())
    return {r["id"]: r["available_tokens"] for r in found}


async def list_rate_limits(
    limit: int = 50, cursor: str | None = None, key: str | None = None
) -> Any:
    async with pool().acquire() as conn:
        page = await list_page(conn, SELECT, FILTERS, {"key": key}, limit, cursor)
        tokens = await _tokens_now(conn, page.items) if page.items else {}
    items = [serialize(row, availableTokens=tokens.get(row["id"])) for row in page.items]
    return ok(listing(items, page.next_cursor))


async def get_rate_limit(id_: str) -> Any:
    async with pool().acquire() as conn:
        row = await RateLimitRepository(conn).get(parse_uuid(id_))
        if row is None:
            raise not_found("RateLimit", id_)
        tokens = await _tokens_now(conn, [row])
    return ok(serialize(row, availableTokens=tokens.get(row["id"])))


async def create_rate_limit(body: dict[str, Any]) -> Any:
    """201 with a full bucket; 409 when the key has a rate limit already."""
    async with transaction() as conn:
        row = await conn.fetchrow(
            q("rate_limit_create"),
            body["key"],
            float(body["perSecond"]),
            int(body["burst"]),
            _clock(),
        )
    if row is None:
        raise problem(
            409, "Conflict", f"a RateLimit with key {body['key']!r} exists", "rate-limit-exists"
        )
    return ok(_shown(row), 201)


async def update_rate_limit(id_: str, body: dict[str, Any]) -> Any:
    """perSecond and/or burst; the tokens earned so far stay, clamped to the new burst."""
    per_second, burst = body.get("perSecond"), body.get("burst")
    async with transaction() as conn:
        row = await conn.fetchrow(
            q("rate_limit_update"),
            parse_uuid(id_),
            None if per_second is None else float(per_second),
            None if burst is None else int(burst),
            _clock(),
        )
        if row is None:
            raise not_found("RateLimit", id_)
        await _unpark(conn, row["key"])
    return ok(_shown(row))


async def delete_rate_limit(id_: str) -> Any:
    """204; steps naming the key run unlimited from now on."""
    async with transaction() as conn:
        key = await conn.fetchval(q("rate_limit_delete"), parse_uuid(id_))
        if key is None:
            raise not_found("RateLimit", id_)
        await _unpark(conn, key)
    return no_content()


async def _unpark(conn: asyncpg.Connection, key: str) -> None:
    """Ready again the runs the bucket parked, and wake runners when there are any."""
    if await conn.fetch(q("rate_limit_unpark"), key, _clock()):
        await conn.execute(q("runs_notify"))
