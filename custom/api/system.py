"""GET /health and (later) /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from connexion import request

from custom.version import VERSION
from generated.runtime import ok


async def health() -> Any:
    """Liveness plus a bounded database round trip."""
    try:
        async with asyncio.timeout(2):
            await request.state.pool.fetchval("SELECT 1")
        return ok({"status": "ok", "database": "up", "version": VERSION})
    except (TimeoutError, OSError, Exception):  # any failure means: not reachable now
        return ok({"status": "degraded", "database": "down", "version": VERSION}, 503)
