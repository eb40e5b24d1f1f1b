"""Background services of a service process: the in-process runner pool and the reaper.

They start after the database is open and stop before it closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from custom.db.pools import Database
from custom.settings import Settings

log = logging.getLogger(__name__)

Stopper = Callable[[], Awaitable[None]]
Starter = Callable[[Settings, Database], Awaitable[Stopper | None]]

# Each engine part registers how it starts (runner pool, reaper, ...); see register().
_STARTERS: list[tuple[str, Starter]] = []


def register(name: str, starter: Starter) -> None:
    if all(existing != name for existing, _ in _STARTERS):
        _STARTERS.append((name, starter))


@dataclass
class Services:
    stoppers: list[tuple[str, Stopper]] = field(default_factory=list)

    async def stop(self) -> None:
        for name, stop in reversed(self.stoppers):
            try:
                await asyncio.wait_for(stop(), timeout=30)
            except Exception:
                log.exception("stopping %s failed", name)
        self.stoppers.clear()


async def start_services(settings: Settings, db: Database) -> Services:
    import custom.engine_services  # noqa: F401  (registers the engine's starters)

    services = Services()
    for name, starter in _STARTERS:
        stop = await starter(settings, db)
        if stop is not None:
            services.stoppers.append((name, stop))
    return services
