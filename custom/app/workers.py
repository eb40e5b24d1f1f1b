"""Several HTTP server processes sharing one port (`VALKYR_WEB_WORKERS` > 1).

The parent does what must happen once: it starts the embedded PostgreSQL (when no
DATABASE_URL is given), applies the migrations and makes the bootstrap or development
key. Then uvicorn's supervisor binds the port and spawns the workers; each imports
`worker_app` and serves with the full engine of a service process (runners, reaper,
retention), which is safe to run in many processes at once: runs are claimed with
SKIP LOCKED, every expired lease is re-checked under its execution's lock by whichever
reaper gets there first, and purges skip locked rows (custom/reaper/reaper.py,
custom/sql/lease.sql, custom/sql/retention.sql). The workers get the parent's database
URL, with migrations and key making off. SIGTERM or Ctrl+C stops every worker (each
drains as a single process does), then the embedded server.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from custom.app.http_limits import HttpLimits, protocol_with
from custom.settings import Settings

# What the parent tells its workers beside the settings (not settings themselves)
LOG_LEVEL_ENV = "_VALKYR_WORKER_LOG_LEVEL"


def http_limits(settings: Settings) -> HttpLimits:
    return HttpLimits(
        max_header_bytes=settings.http_max_header_bytes,
        max_headers=settings.http_max_headers,
        request_timeout=settings.http_request_timeout_seconds,
        max_connections=settings.http_max_connections,
    )


def serve_workers(settings: Settings, log_level: str, run: Any) -> None:
    """Set up once, then `run(app, **uvicorn options)` (uvicorn.run, which supervises
    the workers from this, the main, thread) until SIGTERM or Ctrl+C."""
    from custom.app.factory import announce
    from custom.db.embedded import start_embedded

    embedded = None if settings.database_url else start_embedded(settings.data_dir)
    url = settings.database_url or embedded.url
    try:
        asyncio.run(_set_up(settings, url))
        # the workers start from the environment: the database is theirs to use as is
        os.environ.update(
            {
                Settings.env_name("database_url"): url,
                Settings.env_name("migrate"): "false",
                LOG_LEVEL_ENV: log_level,
            }
        )
        os.environ.pop(Settings.env_name("bootstrap_key"), None)
        # connexion's import warns about starlette's TestClient, which nothing here uses;
        # the workers import it before any code of ours runs (`valkyr serve` filters it too)
        quiet = "ignore:Using `httpx` with `starlette.testclient`"
        os.environ["PYTHONWARNINGS"] = ",".join(
            filter(None, [os.environ.get("PYTHONWARNINGS"), quiet])
        )
        announce(settings)
        run(
            f"{__name__}:worker_app",
            factory=True,
            workers=settings.web_workers,
            host=settings.host,
            port=settings.port,
            loop="uvloop",
            http=f"{__name__}:http_protocol",
            log_level=log_level,
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
    finally:
        if embedded is not None:
            embedded.release()


async def _set_up(settings: Settings, url: str) -> None:
    """Migrations and the bootstrap or development key, once for all workers."""
    from custom.app.bootstrap import ensure_bootstrap_keys
    from custom.db.migrate import upgrade_async
    from custom.db.pools import Database

    if settings.migrate:
        await upgrade_async(url)
    db = await Database.open(url, pool_size=1)
    try:
        await ensure_bootstrap_keys(db.pool, settings)
    finally:
        await db.close()


def worker_app() -> Any:
    """The app of one worker process (uvicorn's factory, in the spawned process)."""
    from custom.app import create_app
    from custom.observability.logging import configure_logging

    configure_logging(os.environ.get(LOG_LEVEL_ENV, "info").upper())
    settings = Settings.from_env()
    if settings.runner_id:  # one name per process: each holds its own leases
        settings = Settings.from_env(runner_id=f"{settings.runner_id}:{os.getpid()}")
    return create_app(settings)


def __getattr__(name: str) -> Any:
    # `http_protocol`: uvicorn imports the protocol class by name in each worker (a
    # class made at run time cannot be sent to a spawned process)
    if name == "http_protocol":
        return protocol_with(http_limits(Settings.from_env()))
    raise AttributeError(name)
