"""Circuit breakers over REST: thresholds and a forced reset.

list/get are the generated CRUD. A breaker's state is the engine's: only its
thresholds can be changed (PUT), and `reset` forces it CLOSED, after which the
runs parked behind it are ready at once.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from connexion import request

from custom.breakers.state import unpark
from custom.sql import q
from generated.repositories.circuit_breaker_state import serialize
from generated.runtime import not_found, ok, parse_uuid


def _json(row: Any) -> dict[str, Any]:
    return serialize(SimpleNamespace(**dict(row)))


async def update_circuit_breaker(id_: str, body: dict[str, Any]) -> Any:
    timeout = body.get("resetTimeoutSeconds")
    row = await request.state.pool.fetchrow(
        q("breaker_update_thresholds"),
        parse_uuid(id_),
        body.get("failureThreshold"),
        float(timeout) if timeout is not None else None,
        body.get("halfOpenMaxCalls"),
    )
    if row is None:
        raise not_found("CircuitBreakerState", id_)
    return ok(_json(row))


async def reset_circuit_breaker(id_: str) -> Any:
    async with request.state.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("breaker_reset"), parse_uuid(id_))
        if row is None:
            raise not_found("CircuitBreakerState", id_)
        await unpark(conn, row["key"])
    return ok(_json(row))
