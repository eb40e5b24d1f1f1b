"""GET /health and GET /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from connexion import request
from starlette.responses import Response

from custom.observability.metrics import CONTENT_TYPE, scrape
from custom.version import VERSION
from generated.runtime import ok

HEALTH_TIMEOUT_SECONDS = 2.0


async def get_health(ready: bool = False) -> Any:
    """Liveness plus a bounded database round trip; `ready` is the readiness form."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            await request.state.pool.fetchval("SELECT 1")
    except Exception:  # whatever the failure (refused, reset, timed out): not reachable now
        return ok(
            {"status": "degraded", "database": "down", "version": VERSION}, 503 if ready else 200
        )
    return ok({"status": "ok", "database": "up", "version": VERSION})


async def get_metrics() -> Any:
    """Prometheus text: this process's engine metrics plus database gauges."""
    engine = request.state.engine
    return Response(
        await scrape(request.state.pool, engine.context.metrics), media_type=CONTENT_TYPE
    )
