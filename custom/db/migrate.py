"""Apply Alembic migrations from code (the service migrates on start).

The scripts are package data (custom.resources), so an installed wheel migrates as a
checkout does; `alembic.ini` stays a developer's file for `make migration`. Alembic
(and the SQLAlchemy engine its env.py opens) is loaded only when migrating: the
service itself runs on one asyncpg pool.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from custom.observability.logging import PLAIN
from custom.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(database_url)
    command.upgrade(cfg, revision)
    if revision == "head":
        head = ScriptDirectory.from_config(cfg).get_current_head()
        log.info("database schema is at the latest revision (%s)", head, extra=PLAIN)


async def upgrade_async(database_url: str) -> None:
    # env.py runs its own event loop, so it gets a thread of its own
    await asyncio.to_thread(upgrade, database_url)
