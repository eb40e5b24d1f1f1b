"""Alembic environment: async engine from DATABASE_URL (or the embedded server).

Several service processes may start at once; a transaction-level advisory lock
makes their migrations run one after the other instead of racing.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import generated.tables  # noqa: F401  (registers every table on the metadata)
from custom.db.embedded import resolve_database_url
from custom.db.urls import sqlalchemy_url
from generated.tables import metadata

config = context.config
target_metadata = metadata
MIGRATION_LOCK = 7_261_001  # arbitrary advisory-lock id for "migrating"


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        url = resolve_database_url(None, Path(os.environ.get("VALKYR_DATA_DIR", ".data")))
    return sqlalchemy_url(url)


def _configure(connection: Connection | None = None, **kw: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        **kw,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_url(), poolclass=sa.pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
