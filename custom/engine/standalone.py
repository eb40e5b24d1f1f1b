"""`valkyr runner`: a runner pool (and a reaper) alone against DATABASE_URL.

Scale-out is more of these processes on one PostgreSQL; SIGTERM stops one cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from custom.db.embedded import start_embedded
from custom.db.migrate import upgrade_async
from custom.db.pools import create_pool
from custom.engine.services import start_engine
from custom.observability.tracing import configure_tracing
from custom.observability.tracing import flush as flush_traces
from custom.settings import Settings

log = logging.getLogger(__name__)


async def serve_runner(settings: Settings) -> None:
    configure_tracing()
    url = settings.database_url
    embedded = None
    if url is None:
        embedded = await asyncio.to_thread(start_embedded, settings.data_dir)
        url = embedded.url
    if settings.migrate:
        await upgrade_async(url)
    pool = await create_pool(url, max_size=max(settings.db_pool_size, 4))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    engine = await start_engine(settings, url, pool, runners=max(settings.runners, 1))
    print(f"runner {engine.runner_id} ready", flush=True)
    try:
        await stop.wait()
    finally:
        await engine.stop()
        with contextlib.suppress(Exception):
            await pool.close()
        await asyncio.to_thread(flush_traces)
        if embedded is not None:
            await asyncio.to_thread(embedded.release)


def run_standalone(settings: Settings) -> None:
    import uvloop

    uvloop.run(serve_runner(settings))
