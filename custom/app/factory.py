"""Build the ASGI application from the spec."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from connexion.options import SwaggerUIOptions

from custom.app.bootstrap import ensure_bootstrap_keys
from custom.app.console import ConsoleApp
from custom.app.errors import install_error_handlers
from custom.app.guards import RequestGuard
from custom.app.operations import OnceApp
from custom.app.resolver import SpecResolver
from custom.app.security import KeyCache
from custom.app.tracing import TracingMiddleware
from custom.app.validators import validator_map
from custom.db.embedded import database
from custom.db.migrate import upgrade_async
from custom.db.outage import OutageWatch
from custom.db.pools import Database
from custom.engine.services import start_engine
from custom.observability.logging import PLAIN
from custom.observability.tracing import configure_tracing
from custom.observability.tracing import flush as flush_traces
from custom.resources import spec_dir
from custom.settings import Settings

# the console's build in a checkout (make console); an installed wheel carries none:
# VALKYR_CONSOLE_DIR names one, and without it `/` says how to build it
CONSOLE_DIR = Path(__file__).resolve().parents[2] / "ui" / "dist"
log = logging.getLogger(__name__)


def console_dir(settings: Settings) -> Path:
    return settings.console_dir or CONSOLE_DIR


def announce(settings: Settings) -> None:
    """Where to find the service, for the person who started it."""
    base = f"http://{settings.host}:{settings.port}"
    built = (console_dir(settings) / "index.html").is_file()
    console = f"console: {base}/" + ("" if built else " (not built: make console)")
    for line in (f"listening on {base}", console, f"Swagger UI: {base}/v1/ui/"):
        log.info(line, extra=PLAIN)


def create_app(settings: Settings | None = None, *, announce_urls: bool = False) -> Any:
    """The whole service as one ASGI app: the console at `/`, and under /v1 tracing →
    guard → connexion → handlers.

    `announce_urls`: say where it listens once started (`valkyr serve`, which binds
    to `settings.host` and `settings.port`)."""
    settings = settings or Settings.from_env()
    key_cache = KeyCache()  # this app's, never another's (custom/app/security.py)
    configure_tracing()

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
        async with database(settings.database_url, settings.data_dir) as url, service(url) as state:
            if announce_urls:
                announce(settings)
            yield state
        await asyncio.to_thread(flush_traces)

    @asynccontextmanager
    async def service(url: str) -> AsyncIterator[dict[str, Any]]:
        if settings.migrate:
            await upgrade_async(url)
        db = await Database.open(url, pool_size=settings.db_pool_size)
        await ensure_bootstrap_keys(db.pool, settings)
        engine = await start_engine(settings, db.url, db.pool, runners=settings.runners)
        outage = OutageWatch(db.pool)
        key_cache.clear()  # a new lifespan may serve another database
        state = {"settings": settings, "engine": engine, "outage": outage, "key_cache": key_cache}
        try:
            yield {**db.state(), **state}
        finally:
            await outage.close()
            try:
                await asyncio.wait_for(engine.stop(), timeout=30)
            except Exception:
                log.exception("stopping the engine failed")
            await db.close()

    # connexion's app, with its per-operation work done once (custom/app/operations.py)
    app = OnceApp(__name__, specification_dir=spec_dir(), lifespan=lifespan)
    app.add_api(
        "openapi.yaml",
        resolver=SpecResolver(),
        pythonic_params=True,
        strict_validation=True,
        validate_responses=False,
        validator_map=validator_map(),
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True, swagger_ui_path="/ui"),
    )
    install_error_handlers(app)
    guarded = TracingMiddleware(RequestGuard(app, settings.max_body_bytes))
    served = ConsoleApp(guarded, console_dir(settings))
    served.connexion_app = app  # type: ignore[attr-defined]
    served.key_cache = key_cache  # type: ignore[attr-defined]
    return served
