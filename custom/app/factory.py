"""Build the ASGI application from the spec."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.options import SwaggerUIOptions

from custom.app.console import ConsoleApp
from custom.app.errors import install_error_handlers
from custom.app.formats import register_format_checkers
from custom.app.guards import RequestGuard
from custom.app.resolver import SpecResolver
from custom.app.validators import validator_map
from custom.auth.bootstrap import ensure_bootstrap_keys
from custom.db.embedded import start_embedded
from custom.db.migrate import upgrade_async
from custom.db.pools import Database
from custom.engine_services import start_engine
from custom.observability.tracing import TracingMiddleware, configure_tracing
from custom.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = ROOT / "spec"
CONSOLE_DIR = ROOT / "ui" / "dist"
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Any:
    """The whole service as one ASGI app: the console at `/`, and under /v1 tracing →
    guard → connexion → handlers."""
    settings = settings or Settings.from_env()
    register_format_checkers()
    configure_tracing()

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
        url = settings.database_url or await asyncio.to_thread(start_embedded, settings.data_dir)
        if settings.migrate:
            await upgrade_async(url)
        db = await Database.open(url, pool_size=settings.db_pool_size)
        await ensure_bootstrap_keys(db.pool, settings)
        engine = await start_engine(settings, db.url, db.pool, runners=settings.runners)
        try:
            yield {**db.state(), "settings": settings, "engine": engine}
        finally:
            try:
                await asyncio.wait_for(engine.stop(), timeout=30)
            except Exception:
                log.exception("stopping the engine failed")
            await db.close()

    app = AsyncApp(__name__, specification_dir=SPEC_DIR, lifespan=lifespan)
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
    served = ConsoleApp(guarded, settings.console_dir or CONSOLE_DIR)
    served.connexion_app = app  # type: ignore[attr-defined]
    return served
