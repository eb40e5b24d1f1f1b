"""GET /health and GET /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from connexion import request
from starlette.responses import Response

from custom.observability.metrics import CONTENT_TYPE, scrape
from custom.version import VERSION
from generated.runtime import ok


async def get_health() -> Any:
    """Liveness plus a bounded database round trip."""
    try:
        async with asyncio.timeout(2):
            await request.state.pool.fetchval("SELECT 1")
        return ok({"status": "ok", "database": "up", "version": VERSION})
    except (TimeoutError, OSError, Exception):  # any failure means: not reachable now
        return ok({"status": "degraded", "database": "down", "version": VERSION}, 503)


async def get_metrics() -> Any:
    """Prometheus text: this process's engine metrics plus database gauges (DESIGN §12)."""
    return Response(await scrape(request.state.pool), media_type=CONTENT_TYPE)
