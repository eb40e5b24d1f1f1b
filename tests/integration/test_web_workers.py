"""VALKYR_WEB_WORKERS=2: `valkyr serve` as two HTTP server processes on one port, set
up once by their parent, and SIGTERM to the parent stops them all."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from tests.engine_support import ServiceProcess, wait_for
from tests.support import ADMIN_KEY

pytestmark = pytest.mark.asyncio


def serving_pid(workers: list[psutil.Process], client_port: int) -> int | None:
    """The worker holding the server side of the connection from `client_port`."""
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            for c in worker.net_connections(kind="tcp"):
                if c.raddr and c.raddr.port == client_port:
                    return worker.pid
    return None


@pytest.mark.timeout(120)
async def test_two_workers_answer_on_one_port_and_stop_on_sigterm(
    db_url: str, db, tmp_path: Path
) -> None:
    svc = ServiceProcess(db_url, tmp_path, ADMIN_KEY, VALKYR_WEB_WORKERS=2, VALKYR_RUNNERS=1)
    try:
        await svc.wait_ready()
        parent = psutil.Process(svc.proc.pid)

        def workers() -> list[psutil.Process]:
            return [p for p in parent.children() if "spawn_main" in " ".join(p.cmdline())]

        await wait_for(lambda: _true(len(workers()) == 2), within=30, interval=0.1)
        seen: dict[int, int] = {}
        for _ in range(200):  # new connections until each worker has answered some
            async with _connection(svc.port) as (reader, writer):
                status = await _get(reader, writer, "/v1/WorkflowExecution/counts")
                assert status == 200
                pid = serving_pid(workers(), writer.get_extra_info("sockname")[1])
            if pid is not None:
                seen[pid] = seen.get(pid, 0) + 1
            if len(seen) == 2:
                break
        assert set(seen) == {w.pid for w in workers()}, seen
        # set up once: one bootstrap key, and every worker runs its own engine
        assert await db.fetchval("SELECT count(*) FROM api_keys") == 1
        children = workers()
        svc.proc.terminate()
        svc.proc.wait(30)
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, alive
        assert svc.proc.returncode == 0, svc.output()[-2000:]
    finally:
        svc.stop()


async def _true(value: bool) -> bool:
    return value


@contextlib.asynccontextmanager
async def _connection(
    port: int,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()
        await writer.wait_closed()


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One keep-alive GET; the connection stays open (its server side is looked up)."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {ADMIN_KEY}\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    return int(status_line.split()[1])
